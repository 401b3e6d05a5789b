/**
 * `installLeanBackward`: tape tensors released as soon as their gradient is taken.
 *
 * tfjs-core 4.22's backward pass (`Engine.gradients` → `backpropagateGradients`) keeps every
 * tensor the forward pass saved for it, and every intermediate gradient, until the whole
 * backward pass ends: a training step's peak holds the forward activations AND the gradient of
 * each of them (config b: 1.67 GB of tensors for a 6M-parameter model). Each tape node is
 * walked exactly once, from the loss down, so once a node's input gradients are computed its
 * saved tensors (clones made for it alone, `saveTensorsForBackwardMode`) and the gradients of
 * its outputs (read by no other node) are dead. This wraps each node's gradient function to
 * dispose them then; the peak becomes the forward activations plus the gradients in flight.
 *
 * A node's output gradient is kept when a gradient function handed that very tensor on as an
 * input's gradient (pass-through ops), and so is the `dy` a caller passes to
 * `tf.engine().gradients` (the caller owns it).
 */
import * as tf from '@tensorflow/tfjs-core';

interface TapeNode {
  outputs: tf.Tensor[];
  saved?: tf.Tensor[];
  inputs: Record<string, tf.Tensor>;
  gradient?: (dys: tf.Tensor[]) => Record<string, () => tf.Tensor>;
}

interface EngineInternals {
  state: { activeTape: TapeNode[] | null };
  addTapeNode(...args: unknown[]): void;
  gradients(
    f: () => tf.Tensor,
    xs: tf.Tensor[],
    dy?: tf.Tensor,
    allowNoGradients?: boolean,
  ): { value: tf.Tensor; grads: tf.Tensor[] };
}

const INSTALLED = Symbol.for('plw.leanBackward');
/** Gradients passed in by callers of `gradients(f, xs, dy)`: never disposed here. */
const callerDys = new Set<tf.Tensor>();

function lean(node: TapeNode): void {
  const gradient = node.gradient;
  if (gradient === undefined) return;
  node.gradient = (dys: tf.Tensor[]) => {
    const closures = gradient(dys);
    const names = Object.keys(node.inputs);
    const results: tf.Tensor[] = [];
    let pending = names.length;
    const release = () => {
      for (const t of node.saved ?? []) t.dispose();
      for (const dy of dys) {
        if (dy !== null && !results.includes(dy) && !callerDys.has(dy)) dy.dispose();
      }
    };
    if (pending === 0) {
      release();
      return closures;
    }
    const wrapped: Record<string, () => tf.Tensor> = {};
    for (const [name, closure] of Object.entries(closures)) {
      wrapped[name] = () => {
        const dx = closure();
        results.push(dx);
        if (names.includes(name) && --pending === 0) release();
        return dx;
      };
    }
    return wrapped;
  };
}

/** Patches the active tfjs engine once (idempotent); every later backward pass is lean. */
export function installLeanBackward(): void {
  const engine = tf.engine() as unknown as EngineInternals;
  const proto = Object.getPrototypeOf(engine) as EngineInternals & { [INSTALLED]?: boolean };
  if (proto[INSTALLED] === true) return;
  const addTapeNode = proto.addTapeNode;
  const gradients = proto.gradients;
  if (typeof addTapeNode !== 'function' || typeof gradients !== 'function') return;
  proto.addTapeNode = function (this: EngineInternals, ...args: unknown[]) {
    addTapeNode.apply(this, args);
    const tape = this.state.activeTape;
    const node = tape?.[tape.length - 1];
    if (node !== undefined) lean(node);
  };
  proto.gradients = function (this: EngineInternals, f, xs, dy, allowNoGradients) {
    if (dy === undefined || dy === null) return gradients.call(this, f, xs, dy, allowNoGradients);
    callerDys.add(dy);
    try {
      return gradients.call(this, f, xs, dy, allowNoGradients);
    } finally {
      callerDys.delete(dy);
    }
  };
  proto[INSTALLED] = true;
}
