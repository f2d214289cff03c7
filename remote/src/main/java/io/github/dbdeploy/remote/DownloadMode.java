package io.github.dbdeploy.remote;

import java.util.Locale;

/** How a host fetches the bundle and the runner jar from S3 ({@code dbdeploy.ssm.download}). */
public enum DownloadMode {
    /**
     * curl with URLs presigned by the build. Needs nothing on the host but curl; the URLs stop working when the
     * build's credentials expire, which for temporary credentials can be before a fleet's last batch starts.
     */
    PRESIGNED("presigned"),
    /** The AWS CLI with the host's own instance role: nothing in the command expires early. */
    HOST_ROLE("host-role");

    private final String value;

    DownloadMode(String value) {
        this.value = value;
    }

    /** The value of {@code dbdeploy.ssm.download}. */
    public String value() {
        return value;
    }

    /** The mode named by {@code value}, or null when it names none. */
    public static DownloadMode parse(String value) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (DownloadMode m : values()) {
            if (m.value.equals(v)) {
                return m;
            }
        }
        return null;
    }
}
