package io.github.dbdeploy.engine;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Whether a column type change keeps every value it can hold (int to bigint, varchar(20) to varchar(50) or text),
 * so that converting back restores the data. Any change not known to be widening counts as narrowing: a rehearsal
 * should rather flag a harmless change than miss a lossy one. Types are as {@code format_type} prints them.
 */
final class TypeWidening {
    private static final List<String> INTEGERS = List.of("smallint", "integer", "bigint");
    private static final Pattern PARAMETERS = Pattern.compile("^(.*?)(?:\\((\\d+)(?:,(\\d+))?\\))?(\\[\\])?$");

    private TypeWidening() {
    }

    static boolean isWidening(String from, String to) {
        Matcher f = PARAMETERS.matcher(from.trim());
        Matcher t = PARAMETERS.matcher(to.trim());
        if (!f.matches() || !t.matches() || (f.group(4) == null) != (t.group(4) == null)) {
            return false;
        }
        String fromBase = f.group(1).trim();
        String toBase = t.group(1).trim();
        Integer fromLength = f.group(2) == null ? null : Integer.valueOf(f.group(2));
        Integer toLength = t.group(2) == null ? null : Integer.valueOf(t.group(2));
        if (INTEGERS.contains(fromBase)) {
            return (INTEGERS.contains(toBase) && INTEGERS.indexOf(toBase) >= INTEGERS.indexOf(fromBase))
                    || (toBase.equals("numeric") && (toLength == null
                        || toLength - (t.group(3) == null ? 0 : Integer.parseInt(t.group(3))) >= digits(fromBase)));
        }
        if (fromBase.equals("real")) {
            return toBase.equals("double precision");
        }
        if (fromBase.equals("numeric")) {
            if (!toBase.equals("numeric")) {
                return false;
            }
            if (toLength == null) {
                return true;
            }
            if (fromLength == null) {
                return false;
            }
            int fromScale = f.group(3) == null ? 0 : Integer.parseInt(f.group(3));
            int toScale = t.group(3) == null ? 0 : Integer.parseInt(t.group(3));
            return toScale >= fromScale && toLength - toScale >= fromLength - fromScale;
        }
        if (fromBase.equals("character varying") || fromBase.equals("character")) {
            if (toBase.equals("text")) {
                return true;
            }
            if (toBase.equals("character varying")) {
                return toLength == null || (fromLength != null && toLength >= fromLength);
            }
            return false;
        }
        if (fromBase.equals("text")) {
            return toBase.equals("character varying") && toLength == null;
        }
        if (fromBase.equals("timestamp without time zone")) {
            return toBase.equals("timestamp with time zone");
        }
        return false;
    }

    /** Decimal digits every value of an integer type fits in. */
    private static int digits(String integerType) {
        return switch (integerType) {
            case "smallint" -> 5;
            case "integer" -> 10;
            default -> 19;
        };
    }
}
