package io.github.dbdeploy.jenkins

/** A router made of the user's {@code liveColour} and {@code switchTraffic} closures. */
class ClosureRouter implements TrafficRouter {

    private static final long serialVersionUID = 1L

    private final Closure liveColourClosure
    private final Closure switchTrafficClosure

    ClosureRouter(Closure liveColour, Closure switchTraffic) {
        this.liveColourClosure = liveColour
        this.switchTrafficClosure = switchTraffic
    }

    @Override
    String liveColour() {
        def colour = liveColourClosure.call()
        return colour == null ? null : colour.toString().trim()
    }

    @Override
    void switchTo(String colour) {
        switchTrafficClosure.call(colour)
    }

    @Override
    String describe() {
        return 'the switchTraffic closure'
    }
}
