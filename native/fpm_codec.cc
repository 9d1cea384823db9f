// N-API glue for the FPM decoder: binds a JS-owned batch once, then decodes chunks into it.
//
// The decoding itself is native/fpm_decode.h (no N-API there). Per decode() call this file only
// reads the chunk's pointer and two integers and writes the meta slots: no allocation, no JS
// object per row (classic-level's shared-buffer pattern).
#include <napi.h>

#include <cmath>

#include "batch_layout.h"
#include "fpm_decode.h"

namespace {

bool IsIndex(const Napi::Value& v, double* out) {
  if (!v.IsNumber()) return false;
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0) || d > 4294967295.0 || std::floor(d) != d) return false;
  *out = d;
  return true;
}

class DecoderWrap : public Napi::ObjectWrap<DecoderWrap> {
 public:
  static Napi::Function Define(Napi::Env env) {
    return DefineClass(env, "Decoder", {InstanceMethod<&DecoderWrap::Decode>("decode")});
  }

  // new Decoder(buffer: ArrayBuffer, offsets: Uint32Array, capacities: Uint32Array, meta: Int32Array)
  explicit DecoderWrap(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DecoderWrap>(info), dec_(fpm::Batch{}) {
    Napi::Env env = info.Env();
    if (info.Length() < 4 || !info[0].IsArrayBuffer() || !info[1].IsTypedArray() || !info[2].IsTypedArray() ||
        !info[3].IsTypedArray()) {
      Napi::TypeError::New(env, "Decoder(buffer: ArrayBuffer, offsets: Uint32Array, capacities: Uint32Array, meta: Int32Array)")
          .ThrowAsJavaScriptException();
      return;
    }
    Napi::ArrayBuffer buf = info[0].As<Napi::ArrayBuffer>();
    Napi::TypedArray offs = info[1].As<Napi::TypedArray>();
    Napi::TypedArray caps = info[2].As<Napi::TypedArray>();
    Napi::TypedArray meta = info[3].As<Napi::TypedArray>();
    // A transferred ArrayBuffer reads as empty (length 0, no data): say so instead of letting
    // it fail further down as a size or layout mismatch.
    const char* detached = buf.IsDetached()                      ? "buffer"
                           : offs.ArrayBuffer().IsDetached()     ? "offsets"
                           : caps.ArrayBuffer().IsDetached()     ? "capacities"
                           : meta.ArrayBuffer().IsDetached()     ? "meta"
                                                                 : nullptr;
    if (detached) {
      Napi::TypeError::New(env, std::string("Decoder: ") + detached +
                                    "'s ArrayBuffer was transferred (detached); bind a batch whose memory is attached")
          .ThrowAsJavaScriptException();
      return;
    }
    if (offs.TypedArrayType() != napi_uint32_array || caps.TypedArrayType() != napi_uint32_array ||
        caps.ElementLength() != 4 || meta.TypedArrayType() != napi_int32_array ||
        meta.ElementLength() < static_cast<size_t>(fpm::kMetaSize)) {
      Napi::TypeError::New(env, "Decoder: offsets must be a Uint32Array, capacities a Uint32Array(4), meta an Int32Array(8)")
          .ThrowAsJavaScriptException();
      return;
    }
    const uint32_t* o = offs.As<Napi::Uint32Array>().Data();
    const uint32_t* cp = caps.As<Napi::Uint32Array>().Data();
    fpm::Batch b;
    const char* bad = fpm::BindBatch(b, static_cast<uint8_t*>(buf.Data()), buf.ByteLength(), o, offs.ElementLength(), cp);
    if (bad) {
      Napi::RangeError::New(env, std::string("Decoder: batch does not match native/batch_layout.h: ") + bad)
          .ThrowAsJavaScriptException();
      return;
    }
    // The batch's columns point into this ArrayBuffer. JS can still take it away (structuredClone
    // or postMessage with `transfer` detaches it), so every decode() checks that it is attached
    // at the same address with the same length before writing (Bound()).
    buffer_ = Napi::Persistent(buf);
    meta_ = Napi::Persistent(meta.As<Napi::Object>());
    metaPtr_ = meta.As<Napi::Int32Array>().Data();
    data_ = buf.Data();
    length_ = buf.ByteLength();
    metaBuffer_ = Napi::Persistent(meta.ArrayBuffer());
    metaData_ = meta.ArrayBuffer().Data();
    metaLength_ = meta.ArrayBuffer().ByteLength();
    dec_ = fpm::Decoder(b);
    bound_ = true;
  }

 private:
  // decode(chunk: Uint8Array, start: number, end: number): void
  Napi::Value Decode(const Napi::CallbackInfo& info) {
    Napi::Env env = info.Env();
    if (!bound_) {
      Napi::Error::New(env, "Decoder: not bound").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (const char* why = Unbound()) {
      Napi::Error::New(env, std::string("decode: the batch's memory is gone: ") + why).ThrowAsJavaScriptException();
      return env.Undefined();
    }
    if (info.Length() < 3 || !info[0].IsTypedArray()) {
      Napi::TypeError::New(env, "decode(chunk: Uint8Array, start: number, end: number)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    napi_typedarray_type type;
    size_t length = 0;
    void* data = nullptr;
    napi_value chunkBuffer = nullptr;
    // data already points at the view's first element (byte_offset applied).
    napi_status st = napi_get_typedarray_info(env, info[0], &type, &length, &data, &chunkBuffer, nullptr);
    if (st != napi_ok || (type != napi_uint8_array && type != napi_uint8_clamped_array)) {
      Napi::TypeError::New(env, "decode: chunk must be a Uint8Array or Buffer").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    // A view on a transferred buffer reads as length 0; refuse it by name rather than as a range
    // error (or, for [0, 0), as an empty decode that hides the caller's bug).
    bool chunkDetached = false;
    if (napi_is_detached_arraybuffer(env, chunkBuffer, &chunkDetached) != napi_ok || chunkDetached) {
      Napi::TypeError::New(env, "decode: the chunk's ArrayBuffer was transferred (detached)").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    double s = 0, e = 0;
    if (!IsIndex(info[1], &s) || !IsIndex(info[2], &e) || s > e || e > static_cast<double>(length)) {
      Napi::RangeError::New(env, "decode: bad range [start, end) for the chunk").ThrowAsJavaScriptException();
      return env.Undefined();
    }
    dec_.Decode(static_cast<const uint8_t*>(data), static_cast<uint32_t>(s), static_cast<uint32_t>(e), metaPtr_);
    return env.Undefined();
  }

  // Why the memory bound at construction can no longer be written, or nullptr when it can.
  const char* Unbound() {
    Napi::ArrayBuffer b = buffer_.Value();
    if (b.IsDetached()) return "its ArrayBuffer was transferred (detached)";
    if (b.Data() != data_ || b.ByteLength() != length_) return "its ArrayBuffer moved or changed size";
    Napi::ArrayBuffer m = metaBuffer_.Value();
    if (m.IsDetached()) return "the meta array's buffer was transferred (detached)";
    if (m.Data() != metaData_ || m.ByteLength() != metaLength_) return "the meta array's buffer moved or changed size";
    return nullptr;
  }

  Napi::Reference<Napi::ArrayBuffer> buffer_;
  Napi::Reference<Napi::ArrayBuffer> metaBuffer_;
  Napi::ObjectReference meta_;
  int32_t* metaPtr_ = nullptr;
  void* data_ = nullptr;
  size_t length_ = 0;
  void* metaData_ = nullptr;
  size_t metaLength_ = 0;
  fpm::Decoder dec_;
  bool bound_ = false;
};

Napi::Value ColumnNames(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, fpm::kColumnCount);
  for (size_t i = 0; i < fpm::kColumnCount; i++) out.Set(static_cast<uint32_t>(i), fpm::kColumns[i].name);
  return out;
}

Napi::Value ColumnSizes(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env, fpm::kColumnCount);
  for (size_t i = 0; i < fpm::kColumnCount; i++) out.Set(static_cast<uint32_t>(i), fpm::kColumns[i].size);
  return out;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("Decoder", DecoderWrap::Define(env));
  exports.Set("columnNames", Napi::Function::New<ColumnNames>(env, "columnNames"));
  exports.Set("columnSizes", Napi::Function::New<ColumnSizes>(env, "columnSizes"));
  exports.Set("metaSize", Napi::Number::New(env, fpm::kMetaSize));
  return exports;
}

}  // namespace

NODE_API_MODULE(fpm_codec, Init)
