# Building CO-RE BPF objects and their libbpf skeletons.
#
#   aurora_bpf_skeleton(NAME feature_probe SOURCE feature_probe.bpf.c)
# compiles SOURCE with clang -target bpf, strips DWARF with llvm-strip -g (an unstripped
# object makes a skeleton many times larger), and runs `bpftool gen skeleton`, producing
# ${AURORA_BPF_GEN_DIR}/NAME.skel.h. The interface target aurora_bpf carries that directory.

find_program(AURORA_CLANG NAMES clang clang-16 clang-15 clang-14 REQUIRED)
find_program(AURORA_LLVM_STRIP NAMES llvm-strip llvm-strip-16 llvm-strip-15 llvm-strip-14 REQUIRED)
find_program(AURORA_BPFTOOL NAMES bpftool PATHS /usr/sbin /sbin REQUIRED)

set(AURORA_BPF_GEN_DIR ${CMAKE_BINARY_DIR}/bpf-gen)
file(MAKE_DIRECTORY ${AURORA_BPF_GEN_DIR})

# vmlinux.h: this kernel's own BTF when it has one, else the committed copy (generated from a
# 6.18 kernel). CO-RE relocates either against the running kernel at load time.
set(AURORA_VMLINUX_BTF /sys/kernel/btf/vmlinux)
if(EXISTS ${AURORA_VMLINUX_BTF})
  execute_process(
    COMMAND ${AURORA_BPFTOOL} btf dump file ${AURORA_VMLINUX_BTF} format c
    OUTPUT_FILE ${AURORA_BPF_GEN_DIR}/vmlinux.h.new
    RESULT_VARIABLE vmlinux_rc ERROR_QUIET)
endif()
if(EXISTS ${AURORA_VMLINUX_BTF} AND vmlinux_rc EQUAL 0)
  file(COPY_FILE ${AURORA_BPF_GEN_DIR}/vmlinux.h.new ${AURORA_BPF_GEN_DIR}/vmlinux.h ONLY_IF_DIFFERENT)
  set(AURORA_VMLINUX_SOURCE "generated from ${AURORA_VMLINUX_BTF}")
else()
  file(COPY_FILE ${CMAKE_SOURCE_DIR}/bpf/vmlinux/vmlinux.h ${AURORA_BPF_GEN_DIR}/vmlinux.h ONLY_IF_DIFFERENT)
  set(AURORA_VMLINUX_SOURCE "committed bpf/vmlinux/vmlinux.h (no BTF on this build host)")
endif()
message(STATUS "aurora: vmlinux.h ${AURORA_VMLINUX_SOURCE}")

add_library(aurora_bpf INTERFACE)
target_include_directories(aurora_bpf INTERFACE ${AURORA_BPF_GEN_DIR} ${CMAKE_SOURCE_DIR}/bpf)
target_link_libraries(aurora_bpf INTERFACE PkgConfig::LIBBPF)

function(aurora_bpf_skeleton)
  cmake_parse_arguments(ARG "" "NAME;SOURCE" "" ${ARGN})
  set(obj ${AURORA_BPF_GEN_DIR}/${ARG_NAME}.bpf.o)
  set(skel ${AURORA_BPF_GEN_DIR}/${ARG_NAME}.skel.h)
  set(src ${CMAKE_CURRENT_SOURCE_DIR}/${ARG_SOURCE})
  file(GLOB bpf_headers CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/bpf/*.h)
  add_custom_command(
    OUTPUT ${skel}
    COMMAND ${AURORA_CLANG} -g -O2 -target bpf -D__TARGET_ARCH_x86 -Wall -Werror
            -I${AURORA_BPF_GEN_DIR} -I${CMAKE_SOURCE_DIR}/bpf -c ${src} -o ${obj}.full
    COMMAND ${AURORA_LLVM_STRIP} -g ${obj}.full -o ${obj}
    COMMAND ${AURORA_BPFTOOL} gen skeleton ${obj} name ${ARG_NAME} > ${skel}.tmp
    COMMAND ${CMAKE_COMMAND} -E rename ${skel}.tmp ${skel}
    DEPENDS ${src} ${bpf_headers} ${AURORA_BPF_GEN_DIR}/vmlinux.h
    COMMENT "BPF ${ARG_NAME}: clang -target bpf, llvm-strip -g, bpftool gen skeleton"
    VERBATIM)
  add_custom_target(${ARG_NAME}_skel DEPENDS ${skel})
  add_dependencies(aurora_bpf_skeletons ${ARG_NAME}_skel)
endfunction()

add_custom_target(aurora_bpf_skeletons)
