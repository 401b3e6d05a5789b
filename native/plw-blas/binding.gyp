{
  "targets": [
    {
      "target_name": "plw_blas",
      "sources": ["src/plw_blas.c"],
      "cflags": ["-O2", "-std=c11", "-Wall", "-Wextra"],
      "libraries": ["-lopenblas"],
      "defines": ["NAPI_VERSION=8"]
    }
  ]
}
