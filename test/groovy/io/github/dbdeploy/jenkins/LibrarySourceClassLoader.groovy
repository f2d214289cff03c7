package io.github.dbdeploy.jenkins

/**
 * The parent of the pipeline's class loader in the tests. It hides the library classes that Maven compiled into
 * target/classes, so that JenkinsPipelineUnit compiles them from src/ with the CPS transformer, as Jenkins does.
 * Without it the parent-first lookup would hand the pipeline plain (non-CPS) classes, and the tests would not see
 * code that only fails under CPS. Test code still links against the compiled copy for its static helpers.
 */
class LibrarySourceClassLoader extends ClassLoader {

    private final File sourceRoot

    LibrarySourceClassLoader(ClassLoader parent, File sourceRoot) {
        super(parent)
        this.sourceRoot = sourceRoot
    }

    @Override
    protected Class<?> loadClass(String name, boolean resolve) throws ClassNotFoundException {
        String topLevel = name.contains('$') ? name.substring(0, name.indexOf('$')) : name
        if (new File(sourceRoot, topLevel.replace('.', '/') + '.groovy').isFile()) {
            throw new ClassNotFoundException("${name} is compiled from ${sourceRoot} by the pipeline's own class loader")
        }
        // parent.loadClass rather than super.loadClass: Groovy 2.4 on Java 17 cannot dispatch the protected super call.
        return parent.loadClass(name)
    }
}
