/**
 * How one invocation works through its records (lambda/decrypt-function/record-schedule.ts): several at once within a
 * budget of stored bytes, a large or unsized one alone, never two of the same object at once, every task once, and
 * an error thrown only after the tasks already running have ended.
 */
import fc from 'fast-check';
import { runWithinBudget, type ScheduledWork } from '../../lambda/decrypt-function/record-schedule';

interface Task extends ScheduledWork {
  readonly index: number;
  /** Turns of the event loop the task takes. */
  readonly turns: number;
}

const BUDGET = 100;
const AT_ONCE = 6;
const LIMITS = { budgetBytes: BUDGET, minBytes: 1, atOnce: AT_ONCE };
const turns = (n: number) => new Promise<void>((resolve) => setTimeout(resolve, n));

/** Runs the tasks, recording what ran at the same time as what. */
async function observe(tasks: readonly Task[], fail?: number | readonly number[], limits = LIMITS) {
  const running = new Map<number, Task>();
  const started: number[] = [];
  const ended: number[] = [];
  const log: string[] = [];
  let widest = 0;
  const violations: string[] = [];
  const error = await runWithinBudget(
    tasks,
    (task) => task,
    async (task) => {
      started.push(task.index);
      log.push(`start ${task.index}`);
      const others = [...running.values()];
      running.set(task.index, task);
      widest = Math.max(widest, running.size);
      const weightOf = (t: Task) =>
        typeof t.bytes === 'number' && t.bytes >= 0 && t.bytes <= limits.budgetBytes
          ? Math.max(t.bytes, limits.minBytes)
          : Infinity;
      const total = [...running.values()].reduce((sum, t) => sum + weightOf(t), 0);
      if (others.length > 0 && total > limits.budgetBytes) violations.push(`over budget with ${task.index}`);
      if (running.size > limits.atOnce) violations.push(`${running.size} at once`);
      if (others.some((t) => t.identity === task.identity)) violations.push(`${task.identity} twice at once`);
      await turns(task.turns);
      running.delete(task.index);
      ended.push(task.index);
      log.push(`end ${task.index}`);
      if (task.index === fail || (Array.isArray(fail) && fail.includes(task.index))) {
        throw new Error(`task ${task.index} failed`);
      }
    },
    limits,
  ).then(
    () => undefined,
    (e: unknown) => e,
  );
  return { log, started, ended, widest, violations, error, stillRunning: running.size };
}

const task = (index: number, bytes: number | undefined, identity = `object-${index}`, t = 2): Task => ({
  index,
  bytes,
  identity,
  turns: t,
});

it('runs small records together, at most atOnce of them, in the order given, and each once', async () => {
  const seen = await observe(Array.from({ length: 10 }, (_, i) => task(i, 10)));
  expect(seen.widest).toBe(AT_ONCE);
  expect(seen.started).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect([...seen.ended].sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  expect(seen.violations).toEqual([]);
});

it('keeps the bytes in flight within the budget', async () => {
  const seen = await observe([task(0, 60), task(1, 30), task(2, 30), task(3, 10)]);
  expect(seen.violations).toEqual([]);
  // 60 and 30 together; the next 30 waits until one of them ends.
  expect(seen.log.slice(0, 3)).toEqual(['start 0', 'start 1', 'end 0']);
});

it('counts a record announced as 0 bytes for at least minBytes', async () => {
  const seen = await observe(
    Array.from({ length: 6 }, (_, i) => task(i, 0)),
    undefined,
    { ...LIMITS, minBytes: 40 },
  );
  expect(seen.violations).toEqual([]);
  expect(seen.widest).toBe(2);
});

it('runs a record larger than the budget, or of unknown size, alone', async () => {
  for (const big of [BUDGET + 1, undefined, Number.NaN, -1]) {
    const seen = await observe([task(0, 10), task(1, big), task(2, 10)]);
    expect(seen.violations).toEqual([]);
    // The small one before it ends first, the one after it starts only once it has ended.
    expect(seen.ended.indexOf(0)).toBeLessThan(seen.started.indexOf(1));
    expect(seen.ended.indexOf(1)).toBeLessThan(seen.started.indexOf(2));
  }
});

it('never runs two records of the same object at once: the second starts after the first ends', async () => {
  const seen = await observe([task(0, 1, 'same'), task(1, 1, 'other'), task(2, 1, 'same')]);
  expect(seen.violations).toEqual([]);
  expect(seen.ended.indexOf(0)).toBeLessThan(seen.started.indexOf(2));
});

it('on an error, starts nothing more, lets the running ones end, then throws the first error', async () => {
  const seen = await observe([task(0, 30, 'a', 1), task(1, 30, 'b', 5), task(2, 60, 'c', 1), task(3, 1, 'd')], 0);
  expect((seen.error as Error).message).toBe('task 0 failed');
  expect(seen.stillRunning).toBe(0);
  // 0 and 1 ran together; 2 waited for room, then saw the error and never started, nor did 3; 1 ran to its end.
  expect(seen.started).toEqual([0, 1]);
  expect(seen.ended).toEqual([0, 1]);
});

it('holds for any mix of sizes, objects and durations', async () => {
  const anyTask = fc.record({
    bytes: fc.oneof(fc.integer({ min: 0, max: 2 * BUDGET }), fc.constant(undefined)),
    identity: fc.constantFrom('a', 'b', 'c', 'd', 'e'),
    turns: fc.integer({ min: 0, max: 3 }),
  });
  await fc.assert(
    fc.asyncProperty(fc.array(anyTask, { maxLength: 12 }), async (drawn) => {
      const tasks = drawn.map((t, index) => ({ ...t, index }));
      const seen = await observe(tasks);
      expect(seen.violations).toEqual([]);
      expect(seen.started).toEqual(tasks.map((t) => t.index));
      expect(seen.ended).toHaveLength(tasks.length);
    }),
    { numRuns: 60 },
  );
});

it('throws the first error when several tasks fail', async () => {
  const seen = await observe([task(0, 10, 'a', 1), task(1, 10, 'b', 4)], [0, 1]);
  expect((seen.error as Error).message).toBe('task 0 failed');
  expect(seen.ended).toEqual([0, 1]);
});

it('lets the running tasks end before a describe that throws is seen', async () => {
  let ended = 0;
  const tasks = [1, 2, 3];
  const error = await runWithinBudget(
    tasks,
    (n) => {
      if (n === 3) throw new Error('no identity');
      return { identity: String(n), bytes: 1 };
    },
    async () => {
      await turns(3);
      ended += 1;
    },
    LIMITS,
  ).catch((e: unknown) => e);
  expect((error as Error).message).toBe('no identity');
  expect(ended).toBe(2);
});
