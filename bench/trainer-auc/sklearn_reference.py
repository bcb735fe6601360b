"""Reference for bench/trainer-auc: scikit-learn LogisticRegression on the same time-based split.

Reads train.csv / test.csv (header: label, f0..f19) written by trainer-auc.bench.mjs, standardises
with a scaler fitted on the training split only (as the trainer's normaliser), fits on the training
split and prints the test ROC AUC as JSON.
"""
import json
import sys
import time

import numpy as np
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.preprocessing import StandardScaler


def load(path):
    data = np.loadtxt(path, delimiter=",", skiprows=1)
    return data[:, 1:], data[:, 0]


def main(folder):
    x_train, y_train = load(f"{folder}/train.csv")
    x_test, y_test = load(f"{folder}/test.csv")
    scaler = StandardScaler().fit(x_train)
    started = time.process_time()
    model = LogisticRegression(max_iter=1000).fit(scaler.transform(x_train), y_train)
    cpu_seconds = time.process_time() - started
    scores = model.predict_proba(scaler.transform(x_test))[:, 1]
    print(json.dumps({"test_auc": roc_auc_score(y_test, scores), "fit_cpu_seconds": cpu_seconds, "train_rows": len(y_train), "test_rows": len(y_test)}))


if __name__ == "__main__":
    main(sys.argv[1])
