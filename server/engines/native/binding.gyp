{
  "targets": [
    {
      "target_name": "socketlab",
      "sources": [
        "src/socketlab.c",
        "src/lab.c",
        "src/netns.c",
        "src/diag.c",
        "src/capture.c",
        "src/sockopt.c",
        "src/pollset.c"
      ],
      "defines": [
        "NAPI_VERSION=8"
      ],
      "cflags": [
        "-std=gnu11",
        "-Wall",
        "-Wextra",
        "-Wno-unused-parameter",
        "-fvisibility=hidden"
      ],
      "xcode_settings": {
        "GCC_C_LANGUAGE_STANDARD": "gnu11",
        "MACOSX_DEPLOYMENT_TARGET": "10.15",
        "WARNING_CFLAGS": [
          "-Wall",
          "-Wextra",
          "-Wno-unused-parameter"
        ]
      }
    }
  ]
}