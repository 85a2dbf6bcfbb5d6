"""Facts about where this kernel runs: front end, Python, GPU, torch, memory, disk, Drive mount, Colab age."""
