// typescript-eslint's no-unsafe-class-instance-assignment with its target test moved before the
// type of the value: the same findings for less type-checker work (docs/fast-feedback.md, "Static
// checks: where the CPU goes").
//
// The upstream rule asks, at every value site (argument, property value, array element, return,
// initialiser, ...), for the site's contextual type and then for the value's type, and only then
// finds that the contextual type holds no class, which is most sites. Asking the checker for a
// value's type is the expensive part (TIMING: the rule was ~14 % of all rule time). This rule runs
// the upstream rule unchanged, except that the contextual type it receives is `undefined` wherever
// the upstream rule's own first test (`containsClass` of the constraint-resolved target) would end
// the check with no finding; on `undefined` the upstream rule stops before it asks for the value's
// type. containsClass is ported below line for line (typescript-eslint 8.73.0); the test
// test/unit/eslint-rules/no-unsafe-class-instance-assignment.test.ts runs both rules over the same
// fixtures and requires the same findings, so an upgrade that changes the upstream test fails there.
import ts from 'typescript';
import tseslint from 'typescript-eslint';

const UPSTREAM_NAME = 'no-unsafe-class-instance-assignment';
const upstream = tseslint.plugin.rules?.[UPSTREAM_NAME];
if (upstream === undefined) {
  throw new Error(`eslint-rules: typescript-eslint no longer has ${UPSTREAM_NAME}; remove the kiro/${UPSTREAM_NAME} wrapper from eslint.config.mjs`);
}

const isObjectType = (type) => (type.flags & ts.TypeFlags.Object) !== 0;
const isTypeReference = (type) => isObjectType(type) && (type.objectFlags & ts.ObjectFlags.Reference) !== 0;

/** The upstream rule's getClassTarget: the class a type is an instance of, itself or through a type reference. */
function getClassTarget(type) {
  if (!isObjectType(type)) return undefined;
  const target = isTypeReference(type) ? type.target : type;
  return (target.objectFlags & ts.ObjectFlags.Class) !== 0 ? target : undefined;
}

/** typescript-eslint's matchesTypeOrBaseType with getClassTarget as the matcher (baseTypeUtils.js). */
function isOrExtendsClass(checker, type, seen = new Set()) {
  if (seen.has(type)) return false;
  seen.add(type);
  if (getClassTarget(type) !== undefined) return true;
  if (!isObjectType(type)) return false;
  const interfaceTarget = isTypeReference(type) ? type.target : type;
  if ((interfaceTarget.objectFlags & (ts.ObjectFlags.Interface | ts.ObjectFlags.Class)) === 0) return false;
  return checker.getBaseTypes(interfaceTarget).some((base) => isOrExtendsClass(checker, base, seen));
}

/** The upstream rule's resolveConstraint: a type parameter's (or other instantiable type's) base constraint. */
function resolveConstraint(checker, type) {
  return (type.flags & ts.TypeFlags.Instantiable) !== 0 ? checker.getBaseConstraintOfType(type) : type;
}

/** The upstream rule's containsClass: whether a class instance is expected anywhere in the type. */
function containsClass(checker, type, seen = new Set()) {
  if (seen.has(type)) return false;
  seen.add(type);
  const resolved = resolveConstraint(checker, type);
  if (!resolved) return false;
  if ((resolved.flags & ts.TypeFlags.UnionOrIntersection) !== 0) {
    return resolved.types.some((part) => containsClass(checker, part, seen));
  }
  return (
    isOrExtendsClass(checker, resolved) ||
    (isTypeReference(resolved) && checker.getTypeArguments(resolved).some((argument) => containsClass(checker, argument, seen))) ||
    checker.getIndexInfosOfType(resolved).some((indexInfo) => containsClass(checker, indexInfo.type, seen))
  );
}

/** Rule: the upstream rule, fed only the contextual types its check can find something in. */
export const noUnsafeClassInstanceAssignment = {
  ...upstream,
  create(context) {
    const services = context.sourceCode.parserServices;
    // Without type information the upstream rule throws its own explanation: let it.
    if (services?.program == null) return upstream.create(context);
    const checker = services.program.getTypeChecker();
    // containsClass depends on the type alone, and the same target types recur at many sites.
    const holdsClass = new WeakMap();
    const getContextualType = (node, contextFlags) => {
      const contextual = checker.getContextualType(node, contextFlags);
      if (contextual === undefined) return undefined;
      let holds = holdsClass.get(contextual);
      if (holds === undefined) {
        // The upstream findViolation's first test: resolveConstraint(target), then containsClass of it.
        const resolved = resolveConstraint(checker, contextual);
        holds = resolved !== undefined && containsClass(checker, resolved);
        holdsClass.set(contextual, holds);
      }
      return holds ? contextual : undefined;
    };
    const filteredChecker = Object.create(checker, { getContextualType: { value: getContextualType } });
    const program = Object.create(services.program, { getTypeChecker: { value: () => filteredChecker } });
    const sourceCode = Object.create(context.sourceCode, { parserServices: { value: { ...services, program } } });
    return upstream.create(Object.create(context, { sourceCode: { value: sourceCode } }));
  },
};

/** The repository's own rules, as an ESLint plugin. */
export const kiroRules = {
  meta: { name: 'kiro' },
  rules: { [UPSTREAM_NAME]: noUnsafeClassInstanceAssignment },
};
