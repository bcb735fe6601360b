"""Reference for bench/trainer-throughput: the same MLP in Keras (TensorFlow), same data and batches.

Reads x.f32 / y.f32 (little-endian float32, row-major) written by trainer-throughput.bench.mjs and
trains Dense(64, relu) -> Dense(32, relu) -> Dense(1, sigmoid) with Adam and binary cross-entropy,
`repeats` times from fresh weights; prints wall and CPU seconds of each model.fit as JSON.
"""
import json
import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402


def main(folder, rows, features, epochs, batch_size, repeats, threads):
    if threads > 0:
        tf.config.threading.set_intra_op_parallelism_threads(threads)
        tf.config.threading.set_inter_op_parallelism_threads(threads)
    x = np.fromfile(f"{folder}/x.f32", dtype="<f4").reshape(rows, features)
    y = np.fromfile(f"{folder}/y.f32", dtype="<f4").reshape(rows, 1)
    runs = []
    # Repeat 0 warms up (graph tracing) and is not counted, as on the TensorFlow.js side.
    for repeat in range(repeats + 1):
        tf.keras.utils.set_random_seed(repeat + 1)
        model = tf.keras.Sequential([
            tf.keras.Input(shape=(features,)),
            tf.keras.layers.Dense(64, activation="relu", kernel_initializer="he_uniform"),
            tf.keras.layers.Dense(32, activation="relu", kernel_initializer="he_uniform"),
            tf.keras.layers.Dense(1, activation="sigmoid"),
        ])
        model.compile(optimizer=tf.keras.optimizers.Adam(0.001), loss="binary_crossentropy")
        wall = time.perf_counter()
        cpu = time.process_time()
        history = model.fit(x, y, batch_size=batch_size, epochs=epochs, shuffle=True, verbose=0)
        if repeat > 0:
            runs.append({"wall_seconds": time.perf_counter() - wall, "cpu_seconds": time.process_time() - cpu, "final_loss": float(history.history["loss"][-1])})
    print(json.dumps({"tensorflow": tf.__version__, "runs": runs}))


if __name__ == "__main__":
    folder, rows, features, epochs, batch_size, repeats, threads = sys.argv[1:8]
    main(folder, int(rows), int(features), int(epochs), int(batch_size), int(repeats), int(threads))
