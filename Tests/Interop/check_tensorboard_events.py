"""Loads the event files a Kestrel run wrote (`kestrel demo NAME --logdir DIR`) with
TensorBoard's own reader and prints every scalar series.

    pip install tensorboard
    python check_tensorboard_events.py DIR
"""
import sys, os
from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

root = sys.argv[1]
for run in sorted(os.listdir(root)):
    acc = EventAccumulator(os.path.join(root, run))
    acc.Reload()
    tags = acc.Tags()['scalars']
    assert tags, f'{run}: no scalars'
    for tag in tags:
        events = acc.Scalars(tag)
        print(f'{run:10s} {tag:22s} ' + ' '.join(f'{e.step}:{e.value:.4f}' for e in events))
