// ECDSA verification over a digest the caller computed (SEC 1 §4.1.4), through the OpenSSL that
// Node.js itself links. Node's crypto.verify always hashes its input, but a Rekor hashedrekord
// entry carries only the artifact's digest; without this, the check runs in JavaScript BigInts at
// about a twentieth of the speed. Loaded optionally: src/tlog/prehashed.ts falls back to
// JavaScript when the addon is not built.
#include <node_api.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

static bool bytes(napi_env env, napi_value v, const unsigned char** data, size_t* len) {
  napi_typedarray_type type;
  napi_value buffer;
  size_t offset;
  void* d;
  if (napi_get_typedarray_info(env, v, &type, len, &d, &buffer, &offset) != napi_ok) return false;
  if (type != napi_uint8_array) return false;
  *data = static_cast<const unsigned char*>(d);
  return true;
}

// verify(spkiDer: Uint8Array, digest: Uint8Array, derSignature: Uint8Array): boolean
static napi_value Verify(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  const unsigned char* spki;
  const unsigned char* digest;
  const unsigned char* sig;
  size_t spki_len, digest_len, sig_len;
  if (argc < 3 || !bytes(env, argv[0], &spki, &spki_len) ||
      !bytes(env, argv[1], &digest, &digest_len) || !bytes(env, argv[2], &sig, &sig_len)) {
    napi_throw_type_error(env, nullptr, "verify(spki, digest, signature) takes three Uint8Arrays");
    return nullptr;
  }
  bool ok = false;
  const unsigned char* p = spki;
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_len));
  if (key != nullptr && EVP_PKEY_base_id(key) == EVP_PKEY_EC) {
    EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(key, nullptr);
    if (ctx != nullptr && EVP_PKEY_verify_init(ctx) == 1) {
      ok = EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len) == 1;
    }
    EVP_PKEY_CTX_free(ctx);
  }
  EVP_PKEY_free(key);
  ERR_clear_error();
  napi_value result;
  napi_get_boolean(env, ok, &result);
  return result;
}

static void FreeKey(napi_env, void* data, void*) { EVP_PKEY_free(static_cast<EVP_PKEY*>(data)); }

// parseKey(spkiDer: Uint8Array): object | null — an EC public key parsed once (decoding and
// checking the point costs about as much as a verification), freed with its JavaScript handle.
static napi_value ParseKey(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value argv[1];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  const unsigned char* spki;
  size_t spki_len;
  napi_value result;
  if (argc < 1 || !bytes(env, argv[0], &spki, &spki_len)) {
    napi_throw_type_error(env, nullptr, "parseKey(spki) takes a Uint8Array");
    return nullptr;
  }
  const unsigned char* p = spki;
  EVP_PKEY* key = d2i_PUBKEY(nullptr, &p, static_cast<long>(spki_len));
  ERR_clear_error();
  if (key == nullptr || EVP_PKEY_base_id(key) != EVP_PKEY_EC) {
    EVP_PKEY_free(key);
    napi_get_null(env, &result);
    return result;
  }
  napi_create_external(env, key, FreeKey, nullptr, &result);
  return result;
}

// verifyWith(key: object, digest: Uint8Array, derSignature: Uint8Array): boolean
static napi_value VerifyWith(napi_env env, napi_callback_info info) {
  size_t argc = 3;
  napi_value argv[3];
  napi_get_cb_info(env, info, &argc, argv, nullptr, nullptr);
  void* handle = nullptr;
  const unsigned char* digest;
  const unsigned char* sig;
  size_t digest_len, sig_len;
  if (argc < 3 || napi_get_value_external(env, argv[0], &handle) != napi_ok ||
      !bytes(env, argv[1], &digest, &digest_len) || !bytes(env, argv[2], &sig, &sig_len)) {
    napi_throw_type_error(env, nullptr, "verifyWith(key, digest, signature)");
    return nullptr;
  }
  bool ok = false;
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new(static_cast<EVP_PKEY*>(handle), nullptr);
  if (ctx != nullptr && EVP_PKEY_verify_init(ctx) == 1) {
    ok = EVP_PKEY_verify(ctx, sig, sig_len, digest, digest_len) == 1;
  }
  EVP_PKEY_CTX_free(ctx);
  ERR_clear_error();
  napi_value result;
  napi_get_boolean(env, ok, &result);
  return result;
}

static napi_value Init(napi_env env, napi_value exports) {
  napi_value fn;
  napi_create_function(env, "verify", NAPI_AUTO_LENGTH, Verify, nullptr, &fn);
  napi_set_named_property(env, exports, "verify", fn);
  napi_create_function(env, "parseKey", NAPI_AUTO_LENGTH, ParseKey, nullptr, &fn);
  napi_set_named_property(env, exports, "parseKey", fn);
  napi_create_function(env, "verifyWith", NAPI_AUTO_LENGTH, VerifyWith, nullptr, &fn);
  napi_set_named_property(env, exports, "verifyWith", fn);
  return exports;
}

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
