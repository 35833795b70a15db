"""Video and audio through ffmpeg: probe, recipes, plan, jobs, runner."""
