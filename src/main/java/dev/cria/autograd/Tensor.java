package dev.cria.autograd;

import dev.cria.kernels.FrozenMatrix;
import dev.cria.tensor.Parallel;
import dev.cria.tensor.Workspace;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A float32 tensor on a flat row-major array, with an optional gradient and, when it was produced by an
 * op with gradients on, the node that back-propagates into that op's inputs.
 *
 * <p>Nodes are coarse: one per fused kernel (see {@link Nn}) or elementwise op (see {@link Ops}), each
 * with a hand-written backward that <em>accumulates</em> into its inputs' gradients. There are no views:
 * a tensor owns its array.
 *
 * <p>A frozen weight may instead be kept in the 16 bits its checkpoint stores, or block-quantized ({@link #frozen}): then
 * {@link #data} is null and {@link #frozenMatrix()} holds it. Only the ops a weight meets read it ({@link Nn#linear},
 * {@link Nn#embedding}, {@link Nn#linearCrossEntropy}); it never takes a gradient.
 */
public final class Tensor {
    /** Accumulates into the gradients of the op's inputs, given the gradient of its output. */
    @FunctionalInterface
    public interface Backward {
        void apply(float[] dout);
    }

    /** The values, row-major; null for a frozen 16-bit or quantized weight. */
    public final float[] data;
    private final FrozenMatrix frozen; // a frozen 16-bit or quantized weight, or null
    private final int[] shape;
    private final boolean requiresGrad;
    private float[] grad;
    private boolean gradZeroed; // a leaf's gradient that zeroGrad() left to be zeroed or overwritten later
    private Tensor[] inputs;
    private Backward backward;
    private String op; // set only while profiling
    private boolean pooled; // data came from the Workspace and is returned to it after backward

    private Tensor(float[] data, int[] shape, boolean requiresGrad) {
        if (data.length != sizeOf(shape)) {
            throw new IllegalArgumentException("data length " + data.length + " does not match shape " + Arrays.toString(shape));
        }
        this.data = data;
        this.frozen = null;
        this.shape = shape.clone();
        this.requiresGrad = requiresGrad;
    }

    private Tensor(FrozenMatrix frozen) {
        this.data = null;
        this.frozen = frozen;
        this.shape = new int[] {frozen.rows(), frozen.cols()};
        this.requiresGrad = false;
    }

    /** A frozen weight (rows, cols) kept in 16 bits or quantized: a constant, read by widening (see {@link FrozenMatrix}). */
    public static Tensor frozen(FrozenMatrix w) {
        return new Tensor(w);
    }

    /** A constant: no gradient flows into it. */
    public static Tensor of(float[] data, int... shape) {
        return new Tensor(data, shape, false);
    }

    public static Tensor zeros(int... shape) {
        return new Tensor(new float[sizeOf(shape)], shape, false);
    }

    public static Tensor scalar(float value) {
        return new Tensor(new float[] {value}, new int[0], false);
    }

    /** A leaf whose gradient is kept: a model parameter. */
    public static Tensor parameter(float[] data, int... shape) {
        return new Tensor(data, shape, true);
    }

    /**
     * The output of an op. It joins the graph only when gradients are on and some input needs one;
     * otherwise it is a plain constant and {@code backward} is dropped.
     */
    static Tensor result(float[] data, int[] shape, Backward backward, Tensor... inputs) {
        boolean track = Grad.isEnabled() && anyRequiresGrad(inputs);
        Tensor out = new Tensor(data, shape, track);
        if (track) {
            out.inputs = inputs;
            out.backward = backward;
        }
        if (OpProfile.enabled()) {
            out.op = OpProfile.callerOp();
            OpProfile.forwardDone(out.op);
        }
        return out;
    }

    /**
     * Like {@link #result}, for an output whose array was taken from the {@link Workspace}: once the
     * backward pass is done with it, the array goes back to the pool for the next step.
     */
    static Tensor pooledResult(float[] data, int[] shape, Backward backward, Tensor... inputs) {
        Tensor out = result(data, shape, backward, inputs);
        out.pooled = out.backward != null;
        return out;
    }

    private static boolean anyRequiresGrad(Tensor[] inputs) {
        for (Tensor t : inputs) if (t != null && t.requiresGrad) return true;
        return false;
    }

    public static int sizeOf(int[] shape) {
        long size = 1;
        for (int d : shape) {
            if (d < 0) throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
            size *= d;
        }
        if (size > Integer.MAX_VALUE) throw new IllegalArgumentException("tensor too large: shape " + Arrays.toString(shape));
        return (int) size;
    }

    public int size() {
        return data != null ? data.length : frozen.rows() * frozen.cols();
    }

    /** The narrow storage of a frozen weight, or null when the values are in {@link #data}. */
    public FrozenMatrix frozenMatrix() {
        return frozen;
    }

    /** The values as a new float32 array, whichever way they are stored. */
    public float[] toFloats() {
        return data != null ? data.clone() : frozen.toFloats();
    }

    public int[] shape() {
        return shape.clone();
    }

    public int rank() {
        return shape.length;
    }

    /** Size of dimension i; negative i counts from the end. */
    public int dim(int i) {
        return shape[i < 0 ? shape.length + i : i];
    }

    public boolean requiresGrad() {
        return requiresGrad;
    }

    /** The single value of a one-element tensor. */
    public float item() {
        if (data.length != 1) throw new IllegalStateException("item() needs one element, shape is " + Arrays.toString(shape));
        return data[0];
    }

    /** The gradient, or null if none has been accumulated. */
    public float[] grad() {
        if (gradZeroed) fillZeroed();
        return grad;
    }

    /** The gradient array, created as zeros on first use. Used by backward functions. */
    float[] gradForUpdate() {
        if (gradZeroed) fillZeroed();
        if (grad == null) {
            if (backward == null) {
                grad = new float[data.length]; // a leaf keeps its gradient
            } else {
                grad = Workspace.take(data.length);
                fillWithZeros(grad);
            }
        }
        return grad;
    }

    /**
     * For a backward step that writes a whole gradient: when no consumer has started this tensor's yet, a
     * fresh array for the caller to overwrite (no zero fill, and no reading it back to add to); else null,
     * and the caller adds into {@link #gradForUpdate()}. A leaf's gradient accumulates across steps, except
     * for the first writer after {@link #zeroGrad}, which gets it to overwrite.
     */
    float[] gradToOverwrite() {
        if (gradZeroed) {
            gradZeroed = false;
            return grad;
        }
        if (grad != null || backward == null) return null;
        grad = Workspace.take(data.length);
        return grad;
    }

    /**
     * Sets the gradient to zeros. A leaf's (a parameter's) is only marked so: its first writer in the next
     * backward overwrites it ({@link #gradToOverwrite}), and anything else that reads it first finds zeros.
     * Filling every parameter's gradient with zeros before each step was a pass of its own on one thread,
     * 98 MB for the small preset (24.4 million weights), and the weight-gradient products then read the
     * zeros back to add to them.
     */
    public void zeroGrad() {
        if (grad == null) return;
        if (backward == null) gradZeroed = true;
        else Arrays.fill(grad, 0f);
    }

    private void fillZeroed() {
        fillWithZeros(grad);
        gradZeroed = false;
    }

    /** On all cores: a gradient is megabytes. */
    private static void fillWithZeros(float[] g) {
        Parallel.forRange(g.length, Parallel.ELEMENT_GRAIN, (start, end) -> Arrays.fill(g, start, end, 0f));
    }

    /** Same data, new shape (a copy of the shape, not of the data); gradients flow through unchanged. */
    public Tensor reshape(int... newShape) {
        if (data == null) throw new IllegalStateException("reshape of a frozen weight " + Arrays.toString(shape));
        if (sizeOf(newShape) != data.length) {
            throw new IllegalArgumentException("cannot reshape " + Arrays.toString(shape) + " to " + Arrays.toString(newShape));
        }
        Tensor self = this;
        return result(data, newShape, dout -> {
            if (self.requiresGrad) {
                float[] g = self.gradForUpdate();
                for (int i = 0; i < g.length; i++) g[i] += dout[i];
            }
        }, this);
    }

    /**
     * Back-propagates from this one-element tensor: seeds d(this) = 1, walks the graph in reverse
     * topological order, and frees the graph's intermediate nodes as it goes. Leaf gradients accumulate.
     *
     * <p>subtle: the arrays of intermediate results go back to the {@link Workspace} here, so read what
     * you need from intermediates (logits, hidden states) before calling backward.
     */
    public void backward() {
        if (data.length != 1) throw new IllegalStateException("backward() needs a scalar loss, shape is " + Arrays.toString(shape));
        backward(new float[] {1f});
    }

    /** As {@link #backward()}, from a tensor of any shape whose gradient is {@code seed}: a replayed {@link Checkpoint}. */
    void backward(float[] seed) {
        if (!requiresGrad) throw new IllegalStateException("backward() on a tensor that does not require grad");
        if (seed.length != data.length) throw new IllegalArgumentException("seed of " + seed.length + " for " + Arrays.toString(shape));
        List<Tensor> order = topologicalOrder();
        float[] g = gradForUpdate();
        for (int i = 0; i < g.length; i++) g[i] += seed[i];
        for (int i = order.size() - 1; i >= 0; i--) {
            Tensor node = order.get(i);
            if (node.backward != null && node.grad != null) {
                long start = OpProfile.enabled() ? System.nanoTime() : 0;
                node.backward.apply(node.grad);
                if (OpProfile.enabled()) OpProfile.backwardDone(node.op, System.nanoTime() - start);
            }
            if (node.backward != null) {
                node.backward = null;
                node.inputs = null;
                if (node.grad != null) Workspace.give(node.grad);
                node.grad = null;
                if (node.pooled) Workspace.give(node.data);
            }
        }
    }

    /** Nodes reachable from this one, each after all of its inputs. Iterative: graphs can be deep. */
    private List<Tensor> topologicalOrder() {
        List<Tensor> order = new ArrayList<>();
        Set<Tensor> visited = new HashSet<>();
        ArrayDeque<Object[]> stack = new ArrayDeque<>();
        stack.push(new Object[] {this, 0});
        visited.add(this);
        while (!stack.isEmpty()) {
            Object[] frame = stack.peek();
            Tensor node = (Tensor) frame[0];
            int next = (Integer) frame[1];
            if (node.inputs != null && next < node.inputs.length) {
                frame[1] = next + 1;
                Tensor child = node.inputs[next];
                if (child != null && child.requiresGrad && visited.add(child)) stack.push(new Object[] {child, 0});
            } else {
                stack.pop();
                order.add(node);
            }
        }
        return order;
    }

    @Override
    public String toString() {
        return "Tensor" + Arrays.toString(shape) + (requiresGrad ? " (grad)" : "");
    }
}
