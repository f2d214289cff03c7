import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;

/**
 * The least a no-op deploy of any JVM tool must do: load the PostgreSQL driver in a fresh JVM, connect, and read the
 * history table once. Prints that time in seconds (from main, so without the JVM's own start): bench/run.sh sets it
 * beside the no-op budget the goals allow over mvn validate.
 *
 *     java -cp DIR:postgresql.jar JdbcFloor JDBC_URL
 */
public final class JdbcFloor {
    public static void main(String[] args) throws Exception {
        long started = System.nanoTime();
        try (Connection c = DriverManager.getConnection(args[0]);
             Statement st = c.createStatement();
             ResultSet rs = st.executeQuery("select count(*) from databasechangelog")) {
            rs.next();
        }
        System.out.printf("%.3f%n", (System.nanoTime() - started) / 1e9);
    }
}
