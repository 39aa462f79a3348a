import { createHash } from 'node:crypto';
import { Aspects, CfnElement, type IAspect, Names } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

/**
 * Logical ids that do not depend on where the bridge sits in an app.
 *
 * CloudFormation replaces a resource whose logical id changes: a table, a secret, a queue or a bucket would
 * be created anew (empty) and the old one deleted or orphaned. CDK derives a logical id from the construct
 * path below the stack, so `new PoderoBridge(stack, 'Bridge')` and `new PoderoBridge(stack, 'Podero')` would
 * give every resource a different id, and so would the repository's stack before and after it became a
 * consumer of this construct. Every CloudFormation element under the bridge therefore gets the id CDK would
 * give it if the bridge's children sat directly in the stack: the repository's ids of old, and the same ids in
 * every partner's stack whatever the bridge's construct id. The price: one bridge per stack (the construct
 * refuses a second), which a stage is anyway (its bus, API and dashboard are named after the stage).
 *
 * infra/test/stateful-ids.integ.test.ts fails when a stateful resource's id would change between versions.
 */

const HIDDEN_ID = 'Default';
const HIDDEN_FROM_HUMAN_ID = 'Resource';
const HASH_LEN = 8;
const MAX_HUMAN_LEN = 240;
const MAX_ID_LEN = 255;

/** aws-cdk-lib's `makeUniqueId` (core/lib/private/uniqueid, not exported): same input, same id. */
export function uniqueIdOf(pathComponents: readonly string[]): string {
  const components = pathComponents.filter((c) => c !== HIDDEN_ID);
  if (components.length === 0) throw new Error('a logical id needs at least one path component');
  const [only] = components;
  if (components.length === 1 && only !== undefined) {
    const candidate = removeNonAlphanumeric(only);
    if (candidate.length <= MAX_ID_LEN) return candidate;
  }
  const hash = createHash('md5').update(components.join('/')).digest('hex').slice(0, HASH_LEN).toUpperCase();
  const human = removeDupes(components)
    .filter((c) => c !== HIDDEN_FROM_HUMAN_ID)
    .map(removeNonAlphanumeric)
    .join('')
    .slice(0, MAX_HUMAN_LEN);
  return human + hash;
}

function removeNonAlphanumeric(s: string): string {
  return s.replace(/[^A-Za-z0-9]/g, '');
}

function removeDupes(path: readonly string[]): string[] {
  const kept: string[] = [];
  for (const component of path) {
    const last = kept[kept.length - 1];
    if (last === undefined || !last.endsWith(component)) kept.push(component);
  }
  return kept;
}

/**
 * Some constructs name a child after another construct's app-wide unique id (`Names.nodeUniqueId`, which
 * starts with the stack's name): an SQS or DynamoDB event source's mapping (`SqsEventSource:<queue id>`), a
 * bucket notification's permission (`AllowBucketNotificationsTo<function id>`). Such a component is rewritten
 * with the other construct's root-relative id, so that these ids depend neither on the stack's name nor on the
 * bridge's construct id either.
 */
class AppWideIds {
  private readonly byAppWideId: ReadonlyMap<string, string>;

  constructor(root: IConstruct) {
    const byAppWideId = new Map<string, string>();
    for (const construct of root.node.findAll()) {
      if (construct === root) continue;
      byAppWideId.set(Names.nodeUniqueId(construct.node), uniqueIdOf(relativePath(root, construct)));
    }
    this.byAppWideId = byAppWideId;
  }

  rewrite(component: string): string {
    for (const [appWide, relative] of this.byAppWideId) {
      if (component.includes(appWide)) return component.replace(appWide, relative);
    }
    return component;
  }
}

function relativePath(root: IConstruct, construct: IConstruct): string[] {
  const scopes = construct.node.scopes;
  const rootIndex = scopes.indexOf(root);
  if (rootIndex < 0) throw new Error(`${construct.node.path} is not below ${root.node.path}`);
  return scopes.slice(rootIndex + 1).map((scope) => scope.node.id);
}

/** The id of an element below `root`, as if `root`'s children were the stack's. */
export function rootRelativeLogicalId(
  root: IConstruct,
  element: CfnElement,
  appWide = new AppWideIds(root),
): string {
  return uniqueIdOf(relativePath(root, element).map((component) => appWide.rewrite(component)));
}

/** Elements already given an id here: an element some other code overrode is left alone. */
const assigned = new WeakSet<CfnElement>();

function assign(root: IConstruct, element: CfnElement, appWide: () => AppWideIds): void {
  if (assigned.has(element)) return;
  element.overrideLogicalId(rootRelativeLogicalId(root, element, appWide()));
  assigned.add(element);
}

/**
 * Gives every CloudFormation element below `root` its root-relative id: those that exist now at once (so that
 * code reading `element.logicalId` before synthesis sees the final id), and any added later (by a partner, or
 * lazily by a construct) through an aspect that runs before synthesis.
 */
export function anchorLogicalIds(root: IConstruct): void {
  const now = new AppWideIds(root);
  for (const child of root.node.findAll()) {
    if (CfnElement.isCfnElement(child)) assign(root, child, () => now);
  }
  // Later, the tree may have grown: the ids are read again, once per synthesis.
  let later: AppWideIds | undefined;
  const aspect: IAspect = {
    visit(node) {
      if (!CfnElement.isCfnElement(node)) return;
      assign(root, node, () => {
        later ??= new AppWideIds(root);
        return later;
      });
    },
  };
  Aspects.of(root).add(aspect);
}
