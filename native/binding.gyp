{
  "target_defaults": {
    "cflags_cc": ["-O3", "-std=c++17", "-fno-math-errno", "-Wno-psabi"],
    "cflags_cc!": ["-fno-exceptions"],
    "xcode_settings": {"GCC_ENABLE_CPP_EXCEPTIONS": "YES", "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17"]}
  },
  "targets": [
    {
      "target_name": "rnnk_base",
      "type": "static_library",
      "sources": ["src/kernels.cc"],
      "defines": ["RNNK_NS=base"],
      "cflags_cc": ["-fPIC"]
    },
    {
      "target_name": "rnnk_avx2",
      "type": "static_library",
      "sources": ["src/kernels.cc"],
      "defines": ["RNNK_NS=avx2"],
      "conditions": [["target_arch=='x64' or target_arch=='ia32'", {
        "cflags_cc": ["-fPIC", "-mavx2", "-mfma"],
        "xcode_settings": {"OTHER_CPLUSPLUSFLAGS": ["-mavx2", "-mfma"]}
      }]]
    },
    {
      "target_name": "rnn_kernels",
      "sources": ["src/addon.cc"],
      "dependencies": ["rnnk_base", "rnnk_avx2"],
      "libraries": ["-lpthread"]
    }
  ]
}
