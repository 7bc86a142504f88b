import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ONNX_SCHEMA } from './onnx-schema.js';
// @ts-expect-error: a plain .mjs script without type declarations.
import { onnxDescriptor } from './schema/generate-schema.mjs';

describe('onnx-schema.ts', () => {
  it('is the descriptor of the vendored onnx.proto (regenerate it after updating the .proto)', () => {
    const proto = readFileSync(new URL('./schema/onnx.proto', import.meta.url), 'utf8');
    expect(JSON.parse(JSON.stringify(onnxDescriptor(proto)))).toEqual(ONNX_SCHEMA);
  });

  it('records where the vendored schema came from', () => {
    const proto = readFileSync(new URL('./schema/onnx.proto', import.meta.url), 'utf8');
    expect(proto).toMatch(/github\.com\/onnx\/onnx\/blob\/[0-9a-f]{40}\/onnx\/onnx\.proto/);
    expect(proto).toContain('SPDX-License-Identifier: Apache-2.0');
  });
});
