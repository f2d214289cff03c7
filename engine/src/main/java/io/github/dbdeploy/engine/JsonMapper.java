package io.github.dbdeploy.engine;

import java.io.IOException;
import java.io.UncheckedIOException;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;

/**
 * The one JSON configuration of dbdeploy (summaries, bundle manifests): every field written even when null, so
 * readers see one shape; fields a newer writer added are ignored by an older reader.
 */
public final class JsonMapper {
    private static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(SerializationFeature.INDENT_OUTPUT)
            .setSerializationInclusion(JsonInclude.Include.ALWAYS)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private JsonMapper() {
    }

    public static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value) + "\n";
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A JSON object as maps, lists, strings, numbers, booleans and nulls (another tool's file, for instance). */
    @SuppressWarnings("unchecked")
    public static java.util.Map<String, Object> readObject(String json) {
        return read(json, java.util.LinkedHashMap.class);
    }

    /** Parses {@code json} as {@code type}; malformed input is an {@link IllegalArgumentException} naming the problem. */
    public static <T> T read(String json, Class<T> type) {
        try {
            return MAPPER.readValue(json, type);
        } catch (IOException e) {
            throw new IllegalArgumentException(e instanceof JsonProcessingException j ? j.getOriginalMessage() : e.getMessage(), e);
        }
    }
}
