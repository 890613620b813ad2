/**
 * Node side: reads vega-datasets' cars.json from node_modules (nothing is downloaded) and
 * builds the experiment's inputs.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  selectRows,
  standardisation,
  standardisedInputs,
  targets,
  type Row,
  type Standardisation,
} from './data.ts';
import type { Problem } from './experiment.ts';
import { initialParams } from './init.ts';

/** Where the data comes from, relative to the repository root. */
export const CARS_JSON = 'node_modules/vega-datasets/data/cars.json';

/** The rows, their standardisation and the problem every optimizer trains on. */
export interface AutoMpgInputs {
  rows: Row[];
  standardisation: Standardisation;
  problem: Problem;
}

/** Loads cars.json and derives everything the run needs from it. */
export function loadAutoMpg(): AutoMpgInputs {
  const path = fileURLToPath(new URL(`../../${CARS_JSON}`, import.meta.url));
  const rows = selectRows(JSON.parse(readFileSync(path, 'utf8')));
  const s = standardisation(rows);
  const init = initialParams();
  return {
    rows,
    standardisation: s,
    problem: {
      x: Array.from(standardisedInputs(rows, s)),
      y: Array.from(targets(rows)),
      weight: init.weight,
      bias: init.bias,
    },
  };
}
