/**
 * A declared route's concrete path: each `{name}` replaced by `values[name]`. A parameter with no value throws,
 * so a route added with a new path parameter fails the test that walks the routes, naming it, instead of being
 * requested with `{name}` left in its path.
 */
export function fillPath(template: string, values: Readonly<Partial<Record<string, string>>>): string {
  return template.replace(/\{([a-z_]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined) throw new Error(`no value for {${name}} in ${template}`);
    return encodeURIComponent(value);
  });
}
