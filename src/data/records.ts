// Dataset records: what a Distilling Step-by-Step dataset is made of. Shared by storage, import/export,
// the teacher runner, the inspector and training. Plain data only (structured-clone safe for IndexedDB and workers).

/** One field of the OpenSearch index the task queries. */
export interface IndexField {
  name: string;
  /** OpenSearch mapping type: keyword, text, date, long, integer, float, double, boolean, nested, object, geo_point... */
  type: string;
  description: string;
  /** text fields with a .keyword sub-field for exact matches and aggregations. */
  keywordSubfield?: boolean;
}

export interface IndexSchema {
  index: string;
  description: string;
  fields: IndexField[];
}

/** A task: the index the student writes queries for, and the teacher prompt template. */
export interface TaskSpec {
  id: string;
  name: string;
  schema: IndexSchema;
  /** Teacher prompt with placeholders {{schema}} and {{question}}. */
  promptTemplate: string;
}

export type RowSource = 'teacher' | 'import' | 'manual';
export type RowStatus = 'pending' | 'accepted' | 'rejected';

/** A place in a text: 0-based character offset, 1-based line and column. */
export interface TextPosition {
  offset: number;
  line: number;
  column: number;
}

export interface ValidationProblem {
  /** JSON path of the problem, e.g. "$.query.bool.filter[0].range.date". */
  path: string;
  message: string;
  /** Where in the label text the problem is, when known (always set for JSON syntax errors). */
  position?: TextPosition;
}

export interface RowValidity {
  parses: boolean;
  valid: boolean;
  problems: ValidationProblem[];
}

export interface DatasetRow {
  id: string;
  datasetId: string;
  question: string;
  /** Query DSL JSON text. */
  label: string;
  rationale: string;
  source: RowSource;
  status: RowStatus;
  teacherModel?: string;
  /** The teacher's raw reply, kept for inspection. */
  rawReply?: string;
  validity: RowValidity;
  createdAt: number;
  updatedAt: number;
}

export interface DatasetMeta {
  id: string;
  name: string;
  task: TaskSpec;
  /** Bumped on every change to rows; the train/eval split is stable for one version. */
  version: number;
  splitSeed: number;
  /** Fraction of rows in train (rest is eval). */
  trainFraction: number;
  synthetic: boolean;
  createdAt: number;
  updatedAt: number;
}

export type SplitName = 'train' | 'eval';
