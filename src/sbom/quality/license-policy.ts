import parseExpression from 'spdx-expression-parse';
import { normalizeLicense } from '../license.js';

/**
 * Licence allow/deny evaluation over SPDX expressions (spdx-satisfies is not available, so the
 * expression tree is walked here). A component's licences are all in force (a CycloneDX list is read
 * as AND); inside an expression `A OR B` gives the user the choice, `A AND B` imposes both.
 * `X WITH exception` is judged by X (an exception only adds permissions); `X+` by X.
 * Ids compare case-insensitively.
 */

/** Whether every licence of a component is satisfiable using only `allowed` ids. */
export function satisfiesAllowList(
  licenses: readonly string[],
  allowed: ReadonlySet<string>,
): boolean {
  if (licenses.length === 0) return false;
  return licenses.every((l) => {
    const ast = toAst(l);
    // Free text or NOASSERTION cannot be shown to be allowed.
    return ast !== undefined && evaluate(ast, (id) => allowed.has(id.toLowerCase()));
  });
}

/** Whether the component can be used without accepting any `denied` id. */
export function avoidsDenyList(licenses: readonly string[], denied: ReadonlySet<string>): boolean {
  return licenses.every((l) => {
    const ast = toAst(l);
    // Free text is compared as a whole (it cannot be parsed into ids).
    if (ast === undefined) return !denied.has(l.trim().toLowerCase());
    return evaluate(ast, (id) => !denied.has(id.toLowerCase()));
  });
}

/** Lower-cased set of licence ids, as the evaluators expect. */
export function licenseSet(ids: readonly string[]): ReadonlySet<string> {
  return new Set(ids.map((id) => id.toLowerCase()));
}

function toAst(raw: string): parseExpression.Info | undefined {
  const n = normalizeLicense(raw);
  if (n.kind !== 'id' && n.kind !== 'expression') return undefined;
  try {
    return parseExpression(n.value);
  } catch {
    return undefined;
  }
}

// `ok(id)` says whether one licence id is acceptable; OR needs one side, AND both.
function evaluate(node: parseExpression.Info, ok: (id: string) => boolean): boolean {
  if ('license' in node) return ok(node.license);
  const left = evaluate(node.left, ok);
  if (node.conjunction === 'or') return left || evaluate(node.right, ok);
  return left && evaluate(node.right, ok);
}
