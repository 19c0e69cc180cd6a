package dev.vellum.server;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.MACSigner;
import com.nimbusds.jose.crypto.MACVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Short-lived tokens that let a browser's {@code EventSource}, which cannot send {@code Authorization}, open one change
 * feed stream: {@code POST /v1/stream-tokens} with an API key gives a token for one path, passed as
 * {@code access_token} in that stream's query string. A token is a JWT (HS256) signed with a key derived from the API
 * key that asked for it, so it holds across restarts of any server with the same keys, and dies with its key. It names
 * its path and expiry; the server never logs it (the access log has paths, not query strings).
 */
final class StreamTokens {
    private static final String AUDIENCE = "vellum:stream";
    private static final String PATH_CLAIM = "path";

    /** Each API key's signing key, by key id (a hash prefix that names a key without revealing it). */
    private final Map<String, byte[]> signingKeys = new LinkedHashMap<>();

    private final Duration lifetime;
    private final Clock clock;

    StreamTokens(List<String> apiKeys, Duration lifetime, Clock clock) {
        this.lifetime = lifetime;
        this.clock = clock;
        for (String key : apiKeys) {
            signingKeys.put(keyId(key), derive(key));
        }
        if (apiKeys.isEmpty()) {
            // no keys, nothing to check: tokens still work, signed by a key of this process alone
            byte[] random = new byte[32];
            new SecureRandom().nextBytes(random);
            signingKeys.put("local", random);
        }
    }

    /** A token issued to the caller who presented {@code apiKey} (null without keys), for one stream path. */
    Issued issue(String apiKey, String path) {
        String keyId = apiKey == null ? "local" : keyId(apiKey);
        Instant now = clock.instant();
        Instant expires = now.plus(lifetime);
        JWTClaimsSet claims = new JWTClaimsSet.Builder()
                .audience(AUDIENCE)
                .claim(PATH_CLAIM, path)
                .issueTime(Date.from(now))
                .expirationTime(Date.from(expires))
                .build();
        SignedJWT jwt = new SignedJWT(
                new JWSHeader.Builder(JWSAlgorithm.HS256).keyID(keyId).build(), claims);
        try {
            jwt.sign(new MACSigner(signingKeys.get(keyId)));
        } catch (JOSEException e) {
            throw new IllegalStateException("Signing a stream token failed", e);
        }
        return new Issued(jwt.serialize(), expires, path);
    }

    /** A token issued for exactly this path, unexpired, signed by a key this server has; else empty. */
    Optional<String> verify(String token, String path) {
        try {
            SignedJWT jwt = SignedJWT.parse(token);
            if (!JWSAlgorithm.HS256.equals(jwt.getHeader().getAlgorithm())) {
                return Optional.empty();
            }
            byte[] key = signingKeys.get(jwt.getHeader().getKeyID());
            if (key == null || !jwt.verify(new MACVerifier(key))) {
                return Optional.empty();
            }
            JWTClaimsSet claims = jwt.getJWTClaimsSet();
            Date expires = claims.getExpirationTime();
            boolean valid = claims.getAudience().contains(AUDIENCE)
                    && path.equals(claims.getClaim(PATH_CLAIM))
                    && expires != null
                    && expires.toInstant().isAfter(clock.instant());
            return valid ? Optional.of(path) : Optional.empty();
        } catch (ParseException | JOSEException | RuntimeException e) {
            return Optional.empty();
        }
    }

    /** A token as the endpoint answers it. */
    record Issued(String token, Instant expiresAt, String path) {}

    /** The first 12 hex digits of the key's SHA-256: enough to tell keys apart, nothing to guess a key from. */
    private static String keyId(String apiKey) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(apiKey.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest, 0, 6);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /** HMAC-SHA256 of a fixed label under the API key (HKDF's extract step): the key itself never signs. */
    private static byte[] derive(String apiKey) {
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(apiKey.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return mac.doFinal("vellum stream token".getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
