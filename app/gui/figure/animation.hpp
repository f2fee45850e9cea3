// Animation of the time line: frames of a view at evenly spaced times (the series drawn up to
// the current time, the axes fixed), written as a PNG sequence, and encoded as MP4 or GIF by
// ffmpeg when it is installed. Progress is reported per frame; the caller may cancel.
#pragma once

#include <QString>
#include <functional>
#include <vector>

#include "gui/figure/figure_composer.hpp"

namespace noether::figure {

/// What to animate.
struct AnimationSettings {
    FigureView view = FigureView::Figure;
    SizePreset size = SizePreset::Slide;
    Palette palette = Palette::Paper;
    double dpi = 96.0;  ///< frames are screen-sized by default (a slide is 1280 × 720)
    int frames = 120;   ///< number of frames, >= 2
    int fps = 30;       ///< frames per second of the video
};

/// Progress: (frames done, total); return false to cancel.
using Progress = std::function<bool(int done, int total)>;

/// Sample indices of the frames: evenly spaced over 0..samples-1, first and last included.
std::vector<long> animationTimes(long samples, int frames);
/// Writes DIR/frame_00000.png ... (each atomically). Returns an empty string, "cancelled",
/// or the error message.
QString writeFrames(FigureComposer& composer, const AnimationSettings& s, const QString& dir,
                    const Progress& progress);
/// The ffmpeg executable on PATH, or an empty string.
QString findFfmpeg();
/// The message shown when ffmpeg is missing.
QString ffmpegMissingMessage();
/// Encodes DIR/frame_%05d.png into `out` (.mp4: H.264; .gif: palette-optimised) with ffmpeg,
/// into a temporary file renamed over `out` when complete. `cancelled` is polled.
QString encodeVideo(const QString& ffmpeg, const QString& frames_dir, int fps, const QString& out,
                    const std::function<bool()>& cancelled);

}  // namespace noether::figure
