package dev.cria.checkpoint.llama2c;

/**
 * One float32 tensor of a llama2.c checkpoint.
 *
 * @param name      its name in llama2.c's model.py, e.g. {@code layers.0.attention.wq.weight}, for messages
 * @param hfName    the Cria (Hugging Face) weight it holds, or null for the legacy RoPE tables run.c skips
 * @param shape     its shape, the same in both layouts
 * @param ropeHeads for wq and wk, the heads whose rows are stored in Meta's interleaved RoPE order (see
 *                  {@link RotaryRows}); 0 for every other tensor
 */
record Llama2cTensor(String name, String hfName, int[] shape, int ropeHeads) {
    long size() {
        long n = 1;
        for (int d : shape) n *= d;
        return n;
    }
}
