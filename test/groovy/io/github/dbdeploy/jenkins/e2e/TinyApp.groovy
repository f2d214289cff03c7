package io.github.dbdeploy.jenkins.e2e

import com.sun.net.httpserver.HttpExchange
import com.sun.net.httpserver.HttpServer
import groovy.transform.CompileStatic

import java.nio.charset.StandardCharsets
import java.sql.Connection
import java.sql.DriverManager
import java.sql.ResultSet
import java.sql.Statement
import java.util.concurrent.Executors

/**
 * The application of the end-to-end test, one process per colour. Version 1 reads greeting.text;
 * version 2 also reads greeting.lang, a column that only exists after the deployment's migration.
 * So version 2 is healthy on the old schema (its /health does not need the column) but its main page
 * works only once the database is migrated: the reason deployWithMigrations migrates before cutover.
 *
 * Usage: TinyApp COLOUR VERSION PORT   (JDBC URL in E2E_APP_JDBC_URL). Listens on 127.0.0.1 only.
 */
@CompileStatic
class TinyApp {

    static void main(String[] args) {
        String colour = args[0]
        int version = Integer.parseInt(args[1])
        int port = Integer.parseInt(args[2])
        String jdbcUrl = System.getenv('E2E_APP_JDBC_URL')
        ThreadLocal<Connection> connections = new ThreadLocal<Connection>()

        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 64)
        server.executor = Executors.newFixedThreadPool(4)
        server.createContext('/') { HttpExchange exchange ->
            int status = 200
            String body
            try {
                Connection c = connections.get()
                if (c == null || c.isClosed()) {
                    c = DriverManager.getConnection(jdbcUrl)
                    connections.set(c)
                }
                if (exchange.requestURI.path == '/health') {
                    query(c, 'select 1') { ResultSet rs -> '' }
                    body = "ok ${colour} v${version}\n"
                } else if (version == 1) {
                    body = query(c, 'select text from greeting where id = 1') { ResultSet rs -> "${colour} v1: ${rs.getString(1)}\n".toString() }
                } else {
                    body = query(c, 'select text, lang from greeting where id = 1') { ResultSet rs -> "${colour} v2: ${rs.getString(1)} (${rs.getString(2)})\n".toString() }
                }
            } catch (Exception e) {
                status = 500
                body = "${colour} v${version} error: ${e.message}\n"
                connections.remove()
            }
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8)
            exchange.sendResponseHeaders(status, bytes.length)
            exchange.responseBody.withCloseable { it.write(bytes) }
        }
        server.start()
        println "TinyApp ${colour} v${version} listening on 127.0.0.1:${port}"
    }

    private static String query(Connection c, String sql, Closure<String> read) {
        Statement st = c.createStatement()
        try {
            ResultSet rs = st.executeQuery(sql)
            if (!rs.next()) {
                throw new IllegalStateException('no row')
            }
            return read.call(rs)
        } finally {
            st.close()
        }
    }
}
