package dev.cria.train;

import dev.cria.util.CriaException;

/** A non-finite loss or gradient: the run stops, and the last good checkpoint is kept as it was. */
public final class TrainingDiverged extends CriaException {
    public TrainingDiverged(long step, double lr, double loss, double gradNorm) {
        super(String.format("training diverged at step %d: loss %s, gradient norm %s, learning rate %.3g; "
                + "the last good checkpoint is kept. Try a lower --lr or a longer --warmup", step, loss, gradNorm, lr));
    }

    /** The same facts and what gave up, for a trainer that skips bad updates a few times before it stops (RL). */
    public TrainingDiverged(long step, double lr, double loss, double gradNorm, String why) {
        super(String.format("training diverged at step %d: %s; loss %s, gradient norm %s, learning rate %.3g; "
                + "the last good checkpoint is kept. Try a lower --lr", step, why, loss, gradNorm, lr));
    }
}
