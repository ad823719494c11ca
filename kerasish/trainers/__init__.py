"""kerasish.trainers: compile/fit/evaluate/predict, data adapters and compile utilities."""
