/** Every in-page suite the browser tests can run, by name. */
import { api } from './api.ts';
import { halfStorage } from './halfStorage.ts';
import { misuse } from './misuse.ts';
import { parity } from './parity.ts';
import { roundTrip } from './roundtrip.ts';
import { runQuickstart } from './quickstart.ts';
import { recordedOrder, recordedRun } from './recorded.ts';
import { scalerRun } from './scaler.ts';
import { normOverflow, scalerCoverage, scalerRounding } from './scalerEdges.ts';
import { runArena, runDispatchPaths, runMixedPrecision, runTimeStep } from './examples.ts';
import { trackedDevice } from './device.ts';
import { torchFixtures } from './torch.ts';
import { scheduleFreeFresh } from './scheduleFree.ts';
import { scheduleFreeScaler } from './scheduleFreeScaler.ts';
import { q8Grid, q8Quantiser, q8Run, q8Scaler } from './q8State.ts';
import { q8Checkpoint } from './q8Checkpoint.ts';
import { q8LoadF32 } from './q8LoadF32.ts';
import { q8Groups } from './q8Groups.ts';
import { lambRebind } from './lambRebind.ts';
import { stateMemory, stateMemoryOf } from './stateMemory.ts';

async function uncaptured(): Promise<string[]> {
  return (await trackedDevice()).uncaptured;
}

export const suites = {
  api,
  halfStorage,
  misuse,
  parity,
  recordedOrder,
  recordedRun,
  roundTrip,
  runQuickstart,
  runMixedPrecision,
  runArena,
  runDispatchPaths,
  runTimeStep,
  scalerRun,
  scalerCoverage,
  scalerRounding,
  normOverflow,
  torchFixtures,
  scheduleFreeFresh,
  scheduleFreeScaler,
  q8Run,
  q8Scaler,
  q8Quantiser,
  q8Grid,
  q8Checkpoint,
  q8LoadF32,
  q8Groups,
  lambRebind,
  stateMemory,
  stateMemoryOf,
  uncaptured,
};
