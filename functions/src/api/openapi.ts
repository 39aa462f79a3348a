import * as z from 'zod';
import { routeDeclarations } from '../declarations';
import { errorBodySchema } from './http';
import { MAX_BODY_BYTES } from './request';
import { routeRegistry } from './routes';
import type { RouteDefinition } from './routes/types';

/**
 * The OpenAPI 3.1 document, generated from the route declarations (method, path, access) and the route
 * modules' zod schemas (the same ones that validate requests). `pnpm openapi` writes it to
 * functions/openapi.json; a test keeps the committed file equal to this.
 */

type JsonObject = Record<string, unknown>;

/**
 * Named schemas (zod `.meta({ id })`) collected into `components.schemas`. zod emits them as
 * `{"$ref":"#/$defs/X","$defs":{...}}` inside each schema; in an OpenAPI document such a `$ref` would be
 * resolved against the document root and dangle, so the definitions move to components and the refs follow.
 */
class SchemaCollector {
  readonly components: Record<string, JsonObject> = {};

  convert(schema: z.ZodType, io: 'input' | 'output'): JsonObject {
    const {
      $schema: _ignored,
      $defs,
      ...rest
    } = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' }) as JsonObject & {
      $defs?: Record<string, JsonObject>;
    };
    const renames = new Map<string, string>();
    for (const [id, definition] of Object.entries($defs ?? {})) {
      renames.set(id, this.register(id, io, definition));
    }
    return this.rewrite(rest, renames) as JsonObject;
  }

  private register(id: string, io: 'input' | 'output', definition: JsonObject): string {
    // The input and output forms of one schema can differ (defaults, transforms): keep both when they do.
    for (const name of [id, `${id}${io === 'input' ? 'Input' : 'Output'}`]) {
      const existing = this.components[name];
      if (existing === undefined) {
        this.components[name] = definition;
        return name;
      }
      if (JSON.stringify(existing) === JSON.stringify(definition)) return name;
    }
    throw new Error(`two different schemas are both named ${id}`);
  }

  private rewrite(value: unknown, renames: Map<string, string>): unknown {
    if (Array.isArray(value)) return value.map((v) => this.rewrite(v, renames));
    if (value === null || typeof value !== 'object') return value;
    const out: JsonObject = {};
    for (const [key, inner] of Object.entries(value)) {
      if (key === '$ref' && typeof inner === 'string' && inner.startsWith('#/$defs/')) {
        const id = inner.slice('#/$defs/'.length);
        out[key] = `#/components/schemas/${renames.get(id) ?? id}`;
      } else {
        out[key] = this.rewrite(inner, renames);
      }
    }
    return out;
  }
}

let collector = new SchemaCollector();
const jsonSchema = (schema: z.ZodType, io: 'input' | 'output'): JsonObject => collector.convert(schema, io);

function shapeOf(schema: z.ZodType | undefined): Record<string, z.ZodType> {
  return schema instanceof z.ZodObject ? (schema.shape as Record<string, z.ZodType>) : {};
}

function parameters(route: RouteDefinition): JsonObject[] {
  const path = Object.entries(shapeOf(route.params)).map(([name, schema]) => ({
    name,
    in: 'path',
    required: true,
    schema: jsonSchema(schema, 'input'),
  }));
  const query = Object.entries(shapeOf(route.query)).map(([name, schema]) => ({
    name,
    in: 'query',
    required: !schema.safeParse(undefined).success,
    schema: jsonSchema(schema, 'input'),
  }));
  return [...path, ...query];
}

const errorContent = { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } };
const errorResponses = (access: string, hasBody: boolean, hasInput: boolean): JsonObject => ({
  ...(hasInput
    ? { 400: { description: 'Invalid request (the details name the field)', content: errorContent } }
    : {}),
  ...(access !== 'public'
    ? {
        401: { description: 'Missing or invalid token', content: errorContent },
        403: { description: 'The token may not access this resource', content: errorContent },
      }
    : {}),
  ...(hasBody
    ? {
        413: { description: `Body larger than ${MAX_BODY_BYTES} bytes`, content: errorContent },
        415: { description: 'Body is not application/json', content: errorContent },
      }
    : {}),
  500: { description: 'Internal error (carries a request id)', content: errorContent },
  ...(access !== 'public'
    ? {
        502: { description: 'Podero failed or timed out', content: errorContent },
        503: {
          description: 'Podero is rate-limiting; retry after the Retry-After header',
          headers: { 'Retry-After': { schema: { type: 'integer' } } },
          content: errorContent,
        },
      }
    : {}),
});

export function openApiDocument(version = '0.1.0'): JsonObject {
  collector = new SchemaCollector();
  const errorSchema = jsonSchema(errorBodySchema, 'output');
  const paths: Record<string, Record<string, JsonObject>> = {};
  for (const declaration of routeDeclarations) {
    if (declaration.function !== 'api') continue;
    const route: RouteDefinition = routeRegistry[declaration.operationId];
    const responses: JsonObject = {};
    for (const [status, spec] of Object.entries(route.responses)) {
      responses[status] = {
        description: spec.description,
        ...(spec.headers
          ? {
              headers: Object.fromEntries(
                Object.entries(spec.headers).map(([h, d]) => [
                  h,
                  { description: d, schema: { type: 'string' } },
                ]),
              ),
            }
          : {}),
        ...(spec.schema
          ? { content: { 'application/json': { schema: jsonSchema(spec.schema, 'output') } } }
          : {}),
      };
    }
    const hasInput = Boolean(route.params || route.query || route.body);
    const operation: JsonObject = {
      operationId: declaration.operationId,
      summary: declaration.summary,
      tags: [declaration.path.split('/')[1] ?? 'api'],
      ...(declaration.access === 'public'
        ? { security: [] }
        : { security: [{ jwt: [] }], 'x-access': declaration.access }),
      parameters: parameters(route),
      ...(route.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: jsonSchema(route.body, 'input') } },
            },
          }
        : {}),
      responses: { ...errorResponses(declaration.access, Boolean(route.body), hasInput), ...responses },
    };
    const pathItem = paths[declaration.path] ?? {};
    pathItem[declaration.method.toLowerCase()] = operation;
    paths[declaration.path] = pathItem;
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'podero-bridge API',
      version,
      description:
        "Onboard a Podero partner's customers, connect their heat pumps through Podero's Connect UI and read heat-pump data. " +
        'Every route except /health and /openapi.json needs a JWT: an admin token (scope `bridge/admin`) or an end-user token whose `sub` is the `external_user_id`.',
    },
    paths,
    components: {
      securitySchemes: { jwt: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      schemas: { Error: errorSchema, ...collector.components },
    },
  };
}

/** The committed file's exact text. */
export function openApiText(): string {
  return `${JSON.stringify(openApiDocument(), null, 2)}\n`;
}
