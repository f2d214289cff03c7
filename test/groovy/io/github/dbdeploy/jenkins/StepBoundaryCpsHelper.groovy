package io.github.dbdeploy.jenkins

import com.cloudbees.groovy.cps.Continuation
import com.cloudbees.groovy.cps.Envs
import com.cloudbees.groovy.cps.Next
import com.cloudbees.groovy.cps.impl.CpsCallableInvocation
import com.cloudbees.groovy.cps.impl.CpsClosure
import com.lesfurets.jenkins.unit.cps.PipelineTestHelperCPS

/**
 * JenkinsPipelineUnit's CPS helper, with the serialization check where Jenkins does it: whenever a pipeline step runs,
 * Jenkins saves the whole program (every running CPS frame, with its continuation), and anything it cannot serialize
 * fails the build. JenkinsPipelineUnit 1.1 instead serializes only the local environment of the innermost closure, but
 * at every expression: that misses iterators, which live in a for-in loop's continuation, misses CPS methods of src/
 * classes (it runs them unchecked), and makes a test run for tens of seconds. Here each CPS method or closure runs in a
 * frame, and after every mocked step all frames are serialized and read back.
 */
class StepBoundaryCpsHelper extends PipelineTestHelperCPS {

    /** The program state of each running CPS frame, outermost first; a step's body runs in a frame inside its caller's. */
    private final List<Next> frames = []

    @Override
    protected Object callMethod(MetaMethod method, Object delegate, Object[] args) {
        try {
            return method.doMethodInvoke(delegate, args)
        } catch (CpsCallableInvocation invocation) {
            return runFrame(invocation)
        }
    }

    @Override
    Object callClosure(Closure closure, Object[] args = null) {
        try {
            Object result = plainCall(closure, args)
            if (!(closure instanceof CpsClosure)) {
                // A mocked step has run: this is when Jenkins would have saved the program.
                checkProgramSerializable()
            }
            return result
        } catch (CpsCallableInvocation invocation) {
            return runFrame(invocation)
        }
    }

    private Object runFrame(CpsCallableInvocation invocation) {
        Next next = invocation.invoke(Envs.empty(), null, Continuation.HALT)
        int frame = frames.size()
        frames.add(next)
        try {
            while (next.yield == null) {
                frames.set(frame, next)
                next = next.step()
            }
        } finally {
            frames.remove(frame)
        }
        return next.yield.replay()
    }

    private void checkProgramSerializable() {
        try {
            roundtripSerialization(new ArrayList<Next>(frames))
        } catch (Exception e) {
            throw new IllegalStateException("Jenkins could not save this pipeline after a step: ${e}. Keep only serializable values " +
                    "in variables that live across a step (index loops instead of iterators; @NonCPS helpers for the rest)", e)
        }
    }

    /** What JenkinsPipelineUnit does to call a closure: spread the step's arguments over its parameters. */
    private static Object plainCall(Closure closure, Object[] args) {
        if (!args) {
            return closure.call()
        } else if (args.size() > closure.maximumNumberOfParameters) {
            return closure.call(args)
        } else {
            return closure.call(*args)
        }
    }
}
