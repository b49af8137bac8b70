// Holds the gateway to its OpenAPI document: the API tests fetch through `recorder`, and
// `checkResponses` validates every answer they got against the schema the document gives for
// its path, method and status, after checking the document itself against OpenAPI 3.1's schema.
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';

export interface Answer {
  method: string;
  path: string;
  status: number;
  body: unknown;
  /** The answer's media type, without parameters (`text/csv`, `application/json`). */
  mediaType?: string;
}

/** `fetch` against `base` that keeps each answer (method, path, status, JSON body) in `answers`. */
export function recorder(
  base: string,
  answers: Answer[],
): (path: string, init?: RequestInit) => Promise<Response> {
  return async (path, init) => {
    const res = await fetch(`${base}${path}`, init);
    const text = await res.clone().text();
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not JSON: kept as text, which no JSON schema of the document accepts
    }
    answers.push({
      method: (init?.method ?? 'GET').toLowerCase(),
      path: new URL(path, base).pathname,
      status: res.status,
      body,
      mediaType: (res.headers.get('content-type') ?? '').split(';')[0]?.trim(),
    });
    return res;
  };
}

interface Operation {
  responses: Record<string, { content?: Record<string, { schema?: object }> }>;
}
type Document = { paths: Record<string, Record<string, Operation>> };

export interface Report {
  /** Why the document is not valid OpenAPI 3.1, if it is not. */
  documentErrors: string[];
  /** Answers that break the document: an undocumented status, or a body its schema refuses. */
  problems: string[];
  /** Answers to paths the document does not have (`method path`). */
  undocumented: string[];
  checked: number;
}

export async function checkResponses(document: unknown, answers: readonly Answer[]): Promise<Report> {
  const validator = new Validator();
  const result = await validator.validate(structuredClone(document) as Parameters<Validator['validate']>[0]);
  const documentErrors = result.valid ? [] : [JSON.stringify(result.errors).slice(0, 2000)];
  const { paths } = document as Document;
  // OpenAPI 3.1 schema objects are JSON Schema 2020-12.
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats.default(ajv);
  const templates = Object.keys(paths).map((template) => ({
    template,
    pattern: new RegExp(`^${template.replace(/\{\w+\}/g, '[^/]+')}$`),
  }));
  const problems: string[] = [];
  const undocumented: string[] = [];
  let checked = 0;
  for (const answer of answers) {
    const what = `${answer.method.toUpperCase()} ${answer.path} → ${answer.status}`;
    const template = templates.find((t) => t.pattern.test(answer.path))?.template;
    const operation = template ? paths[template]?.[answer.method] : undefined;
    if (!operation) {
      undocumented.push(`${answer.method.toUpperCase()} ${answer.path}`);
      continue;
    }
    const content = operation.responses[String(answer.status)]?.content;
    const schema =
      content?.[answer.mediaType ?? 'application/json']?.schema ?? content?.['application/json']?.schema;
    if (!schema) {
      problems.push(`${what}: status not documented`);
      continue;
    }
    const validate = ajv.compile(schema);
    if (!validate(answer.body))
      problems.push(
        `${what}: ${ajv.errorsText(validate.errors)} in ${JSON.stringify(answer.body).slice(0, 300)}`,
      );
    checked++;
  }
  return { documentErrors, problems, undocumented, checked };
}
