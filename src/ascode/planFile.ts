// A saved plan (`plan --out`), read back for `apply --plan`: checked for format and version so an
// old or foreign file is refused with a reason instead of half-applied.
import { PLAN_FORMAT, PLAN_VERSION, type Plan } from './plan';

export function readPlanFile(text: string, name: string): Plan {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error: unknown) {
    throw new Error(`${name} is not JSON: ${error instanceof Error ? error.message : 'unreadable'}.`, { cause: error });
  }
  const plan = value as Partial<Plan> | null;
  if (typeof plan !== 'object' || plan === null || plan.format !== PLAN_FORMAT) throw new Error(`${name} is not a saved plan (no "format": "${PLAN_FORMAT}"); make one with \`dps-enrollments plan FILE --out ${name}\`.`);
  if (plan.version !== PLAN_VERSION) throw new Error(`${name} is plan version ${JSON.stringify(plan.version)}; this release applies version ${PLAN_VERSION}. Plan again.`);
  if (!Array.isArray(plan.entries) || typeof plan.hostName !== 'string') throw new Error(`${name} is incomplete (no "entries" or "hostName"); plan again.`);
  return plan as Plan;
}
