// N-API glue for the FPM decoder (placeholder until native/fpm_decode.h lands).
#include <napi.h>

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("version", Napi::Number::New(env, 0));
  return exports;
}

NODE_API_MODULE(fpm_codec, Init)
