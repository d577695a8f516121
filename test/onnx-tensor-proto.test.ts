// TensorProto reading after a real protobuf round trip: in Node, protobufjs decodes bytes
// fields to Buffers that are views into a shared pool, so the reader must copy exactly
// the tensor's bytes (a Buffer's slice() is a view, not a copy).
import { describe, expect, it } from 'vitest';
import { decodeModel, encodeModel } from '../src/onnx/proto.js';
import { floatTensorProto, int64TensorProto, readTensorProto } from '../src/onnx/tensor-proto.js';

describe('readTensorProto after encode → decode', () => {
  it('reads float32 and int64 raw data exactly, at any offset in the file', () => {
    const a = Float32Array.from([1.5, -2, 3.25, 1e-7, -0]);
    const b = Float32Array.from({ length: 37 }, (_, i) => i / 7 - 2);
    const bytes = encodeModel({
      graph: { initializer: [floatTensorProto('a', [5], a), int64TensorProto('s', [3], [4, -1, 2 ** 40]), floatTensorProto('b', [37], b)] },
    });
    const [ta, ts, tb] = (decodeModel('test', bytes).graph?.initializer ?? []).map((t) => readTensorProto('test', t));
    expect(Array.from(ta.floats as Float32Array)).toEqual(Array.from(a));
    expect(ts.ints).toEqual([4, -1, 2 ** 40]);
    expect(Array.from(tb.floats as Float32Array)).toEqual(Array.from(b));
    expect((tb.floats as Float32Array).buffer.byteLength).toBe(37 * 4);
  });
});
