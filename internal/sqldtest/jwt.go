package sqldtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
)

// SignJWT returns an EdDSA JWT over claims, in the form sqld accepts:
// header {"alg":"EdDSA","typ":"JWT"}. Claims nil or empty ({}) grant full
// access; {"a":"ro"} grants read-only access; "exp" (unix seconds) sets the
// expiry.
func SignJWT(priv ed25519.PrivateKey, claims map[string]any) string {
	if claims == nil {
		claims = map[string]any{}
	}
	payload, err := json.Marshal(claims)
	if err != nil {
		panic(fmt.Sprintf("sqldtest: marshal JWT claims: %v", err))
	}
	enc := base64.RawURLEncoding
	signing := enc.EncodeToString([]byte(`{"alg":"EdDSA","typ":"JWT"}`)) + "." + enc.EncodeToString(payload)
	return signing + "." + enc.EncodeToString(ed25519.Sign(priv, []byte(signing)))
}

// PublicKeyFileContent is what sqld's --auth-jwt-key-file expects: the raw
// Ed25519 public key in URL-safe base64 without padding.
func PublicKeyFileContent(pub ed25519.PublicKey) string {
	return base64.RawURLEncoding.EncodeToString(pub)
}

func newKeyPair() (ed25519.PublicKey, ed25519.PrivateKey) {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(fmt.Sprintf("sqldtest: generate Ed25519 key: %v", err))
	}
	return pub, priv
}
