/**
 * How many steps per repetition and how many repetitions one measurement runs, and when it
 * may stop early: after `minReps`, a repetition that would end past `budgetMs` is not started.
 * The planner (plan.ts) sets these per measurement so the whole run fits its time budget.
 */
export interface RepPlan {
  /** Steps per repetition (one wait per repetition). */
  steps: number;
  /** The most repetitions. */
  reps: number;
  /** The fewest repetitions, run even past the budget (absent: `reps`). */
  minReps?: number;
  /** Wall ms the repetitions may take together (absent: no limit). */
  budgetMs?: number;
}

/**
 * Whether to run another repetition after `done` of them took `elapsedMs` in all, the last
 * one `lastMs`.
 */
export function anotherRep(
  plan: RepPlan,
  done: number,
  elapsedMs: number,
  lastMs: number,
): boolean {
  if (done >= plan.reps) return false;
  if (done < Math.min(plan.minReps ?? plan.reps, plan.reps)) return true;
  return plan.budgetMs === undefined || elapsedMs + lastMs <= plan.budgetMs;
}

/** A fixed plan: `steps` × `reps`, no early stop (the page's form, `--full`). */
export function fixedReps(steps: number, reps: number): RepPlan {
  return { steps, reps };
}
