// Names of an imported model's children and buffers. A child module takes its PyTorch
// parameter prefix, so stateDict() keys equal PyTorch's state_dict keys: from the weight
// initializer ('layer1.0.conv1.weight' → 'layer1.0.conv1'), else from PyTorch's node
// scope ('/layer2/layer2.0/downsample/downsample.0/Conv' → 'layer2.0.downsample.0', where
// BatchNorm folding renamed the weights 'onnx::Conv_214'), else the sanitized node name,
// else '<OpType>_<index>'. Repeats get '_1', '_2', ....

const PATH = /^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z0-9_]+)*$/;

/** 'layer1.0.conv1.weight' → 'layer1.0.conv1'; null for names like 'onnx::Conv_193'. */
export function prefixOfWeight(name: string): string | null {
  if (!name.endsWith('.weight')) return null;
  const prefix = name.slice(0, -'.weight'.length);
  return PATH.test(prefix) ? prefix : null;
}

/** PyTorch's scoped node name → the module path: each scope is a child name, and a
 * scope that repeats its parent's with '.i' appended is element i of it. */
export function pathOfScope(nodeName: string): string | null {
  const m = /^\/((?:[^/]+\/)*[^/]+)\/[A-Za-z]+(?:_\d+)?$/.exec(nodeName);
  if (!m) return null;
  const scopes = m[1].split('/');
  let path = '';
  let previous = '';
  for (const s of scopes) {
    if (!/^[A-Za-z0-9_.]+$/.test(s)) return null;
    if (previous && s.startsWith(`${previous}.`)) path += s.slice(previous.length);
    else path = path ? `${path}.${s}` : s;
    previous = s;
  }
  return PATH.test(path) || /^[A-Za-z0-9_]+(\.[A-Za-z0-9_]+)*$/.test(path) ? path : null;
}

/** A node name with only letters, digits, '_' and '.' (no empty segments). */
export function sanitize(name: string): string {
  return name
    .replace(/[^A-Za-z0-9_.]+/g, '_')
    .replace(/\.{2,}/g, '.')
    .replace(/^[._]+|[._]+$/g, '');
}

export class Names {
  private readonly taken = new Set<string>();

  /** Reserves a name, adding '_1', '_2', ... when it is taken. */
  claim(base: string): string {
    let name = base;
    for (let k = 1; this.taken.has(name); k++) name = `${base}_${k}`;
    this.taken.add(name);
    return name;
  }

  /** The key of a node's child module. */
  module(weightName: string, nodeName: string, op: string, index: number): string {
    const base = prefixOfWeight(weightName) ?? pathOfScope(nodeName) ?? (sanitize(nodeName) || `${op}_${index}`);
    return this.claim(base);
  }

  /** A buffer name (no dots: buffers sit at the root of the state dict). */
  buffer(valueName: string): string {
    return this.claim(valueName.replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '') || 'constant');
  }
}
