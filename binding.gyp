{
  "targets": [
    {
      "target_name": "fpm_codec",
      "sources": ["native/fpm_codec.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      # A worker terminated while decode() throws: the throw is dropped instead of aborting the process
      # (node-addon-api napi-inl.h, NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS).
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS", "NODE_ADDON_API_DISABLE_DEPRECATED", "NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS"],
      "cflags!": ["-fno-exceptions", "-O2", "-O0"],
      "cflags_cc!": ["-fno-exceptions", "-O2", "-O0"],
      "cflags": ["-O3", "-fvisibility=hidden", "-Wall", "-Wextra", "-Werror"],
      "cflags_cc": ["-O3", "-fvisibility=hidden", "-std=c++17", "-fno-exceptions", "-Wall", "-Wextra", "-Werror"],
      "xcode_settings": {
        "GCC_SYMBOLS_PRIVATE_EXTERN": "YES",
        "OTHER_CPLUSPLUSFLAGS": ["-O3", "-std=c++17", "-Wall", "-Wextra", "-Werror"]
      }
    }
  ]
}
