/*
 * Prints the struct sizes and enum values of oneDNN's v2 C API that OneDnnBackend hard-codes
 * (src/main/java/dev/cria/backend/OneDnnLibrary.java), so they can be checked against another version:
 *
 *   apt-get install -y libdnnl-dev && gcc scripts/onednn-abi.c -o /tmp/onednn-abi -ldnnl && /tmp/onednn-abi
 *
 * Debian's 2.6.3: sizes 696, 2800, 16 (memory at 8); bf16 2, f32 3; ab 3, ba 22; cpu 1, flags 1; SRC 1, WEIGHTS 33, DST 17.
 */
#include <stddef.h>
#include <stdio.h>
#include <oneapi/dnnl/dnnl.h>

int main(void) {
    const dnnl_version_t *v = dnnl_version();
    printf("oneDNN %d.%d.%d, cpu runtime %u (OpenMP is %d)\n", v->major, v->minor, v->patch, v->cpu_runtime, DNNL_RUNTIME_OMP);
    printf("sizeof memory_desc %zu, matmul_desc %zu, exec_arg %zu; exec_arg.memory at %zu\n", sizeof(dnnl_memory_desc_t),
            sizeof(dnnl_matmul_desc_t), sizeof(dnnl_exec_arg_t), offsetof(dnnl_exec_arg_t, memory));
    printf("dnnl_bf16 %d, dnnl_f32 %d\n", dnnl_bf16, dnnl_f32);
    printf("dnnl_ab %d, dnnl_ba %d\n", dnnl_ab, dnnl_ba);
    printf("dnnl_cpu %d, dnnl_stream_default_flags %d\n", dnnl_cpu, dnnl_stream_default_flags);
    printf("DNNL_ARG_SRC %d, DNNL_ARG_WEIGHTS %d, DNNL_ARG_DST %d\n", DNNL_ARG_SRC, DNNL_ARG_WEIGHTS, DNNL_ARG_DST);
    return 0;
}
