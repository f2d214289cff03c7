package io.github.dbdeploy.remote.testing;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;

import io.github.dbdeploy.engine.JsonMapper;

/** JSON for the test endpoints and assertions (the AWS JSON protocol, summary files), through Jackson. */
public final class TestJson {
    private static final ObjectMapper COMPACT = new ObjectMapper();

    private TestJson() {
    }

    /** A JSON object as maps, lists, strings, numbers, booleans and nulls, in document order. */
    public static Map<String, Object> parseObject(String json) {
        return JsonMapper.readObject(json);
    }

    /** {@code s} as a JSON string literal, or {@code null}. */
    public static String quote(String s) {
        try {
            return COMPACT.writeValueAsString(s);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
