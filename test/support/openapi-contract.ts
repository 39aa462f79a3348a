import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

/**
 * Checks real answers against the API's own OpenAPI document with a JSON Schema 2020-12 validator (the
 * dialect of OpenAPI 3.1): the status must be documented for the operation, and the body must match the
 * schema documented for that status. What a generated client would parse, the test parses.
 */
export interface Answer {
  status: number;
  json: unknown;
  text: string;
}

type Json = Record<string, unknown>;

export function contractOf(document: Json) {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  // Refs in the document point at `#/components/...`; resolved here against the document itself.
  ajv.addSchema({ $id: 'openapi', components: document.components } as Json);
  const compiled = new Map<string, ValidateFunction>();

  const relink = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(relink);
    if (value === null || typeof value !== 'object') return value;
    return Object.fromEntries(
      Object.entries(value).map(([key, inner]) => [
        key,
        key === '$ref' && typeof inner === 'string' && inner.startsWith('#/')
          ? `openapi${inner}`
          : relink(inner),
      ]),
    );
  };

  const operation = (method: string, template: string): Json => {
    const paths = document.paths as Record<string, Record<string, Json>>;
    const found = paths[template]?.[method.toLowerCase()];
    if (!found) throw new Error(`the document has no ${method} ${template}`);
    return found;
  };

  /** Problems with an answer against a set of documented responses (`key` names them in the text). */
  const problemsAgainst = (key: string, responses: Record<string, Json>, answer: Answer): string[] => {
    const documented = responses[String(answer.status)];
    if (!documented)
      return [`${key}: status ${answer.status} is not documented (${answer.text.slice(0, 200)})`];
    const schema = (documented.content as Record<string, { schema: Json }> | undefined)?.['application/json']
      ?.schema;
    // A text-only answer (a CSV export) is documented as a string of its media type, not as JSON.
    const textOnly = Object.entries((documented.content as Json | undefined) ?? {}).some(
      ([type, media]) =>
        type !== 'application/json' && (media as { schema?: Json }).schema?.type === 'string',
    );
    if (!schema && textOnly && typeof answer.json !== 'object') return [];
    if (!schema) {
      return answer.text === '' ? [] : [`${key} ${answer.status}: a body where none is documented`];
    }
    const compiledKey = `${key} ${answer.status}`;
    let validate = compiled.get(compiledKey);
    if (!validate) {
      validate = ajv.compile(relink(schema) as Json);
      compiled.set(compiledKey, validate);
    }
    if (validate(answer.json)) return [];
    return [`${compiledKey}: ${ajv.errorsText(validate.errors)} in ${answer.text.slice(0, 300)}`];
  };

  return {
    /** Problems with this answer, as text: empty when it is documented and matches. */
    problems(method: string, template: string, answer: Answer): string[] {
      const responses = operation(method, template).responses as Record<string, Json>;
      return problemsAgainst(`${method} ${template}`, responses, answer);
    },
    /**
     * Problems with an answer to a CORS preflight (OPTIONS on any path), against the document's root
     * `x-cors-preflight`: API Gateway answers it for every path alike, so it is not an operation of any.
     */
    preflightProblems(answer: Answer): string[] {
      const preflight = document['x-cors-preflight'] as { responses?: Record<string, Json> } | undefined;
      if (!preflight?.responses) return ['the document has no x-cors-preflight with responses'];
      return problemsAgainst('OPTIONS (x-cors-preflight)', preflight.responses, answer);
    },
  };
}
