// The landscape: a QOpenGLWindow (embedded with QWidget::createWindowContainer, so only its own
// region goes through OpenGL: RENDERING-FACTS.md) drawing the loss as a colour-mapped texture
// with shader isolines, the symmetry orbits faintly, each model's trajectory as a thick line,
// the draggable start point, the kick direction and a marker at the current time. Mouse: drag
// the start point; drag elsewhere (or with the right button) to pan; wheel to zoom; double-click
// to move the start; keys +/−, arrows, F (fit).
#pragma once

#include <QOpenGLExtraFunctions>
#include <QOpenGLShaderProgram>
#include <QOpenGLWindow>
#include <QPointF>
#include <QRectF>
#include <array>
#include <memory>
#include <optional>
#include <vector>

#include "noether/landscape.hpp"
#include "noether/run.hpp"

namespace noether::gui {

/// One trajectory slot per model (indexed by static_cast<int>(Model)).
inline constexpr size_t kTrajectorySlots = std::size(kAllModels);

/// View settings of the heatmap.
struct HeatmapStyle {
    bool log_scale = true;
    int colormap = 0;  ///< 0 viridis, 1 cividis
    bool isolines = true;
    bool orbits = true;
    double wash = 0.25;  ///< mix towards the background, 0..1
};

/// One polyline in data coordinates with its draw style.
struct GlPolyline {
    std::vector<float> x, y;
    QColor color;
    float width = 3.0f;
    float dash = 0.0f;  ///< dash period in pixels, 0 = solid
    bool halo = true;
};

/// One straight segment of an overlay, in plane (data) coordinates, drawn over the trajectories
/// with a halo (the eigen-cross and the ξ(q) arrow of the Curvature tools use these).
struct GlSegment {
    QPointF a, b;
    QColor color;
    float width = 3.0f;  ///< pixels
};

/// The OpenGL landscape window.
class LandscapeWindow : public QOpenGLWindow, protected QOpenGLExtraFunctions {
    Q_OBJECT
  public:
    /// Lecture mode: the start point cannot be dragged or placed (pan and zoom still work).
    void setStartLocked(bool on) { start_locked_ = on; }
    bool startLocked() const { return start_locked_; }

    LandscapeWindow();
    ~LandscapeWindow() override;

    /// The loss grid (NaN allowed: drawn grey).
    void setGrid(const LossGrid& grid, double f_lo, double f_hi);
    /// Orbit polylines (drawn faintly).
    void setOrbits(const std::vector<OrbitPolyline>& orbits);
    /// The trajectories, projected: one per model (index = Model), empty if not shown.
    void setTrajectories(std::array<GlPolyline, kTrajectorySlots> lines, quint64 generation);
    /// Companion runs (a scene file's view.compare), drawn dotted under the trajectories; call
    /// before setTrajectories, which triggers the rebuild.
    void setGhosts(std::vector<GlPolyline> ghosts) { ghosts_ = std::move(ghosts); }
    int ghostCount() const { return static_cast<int>(ghosts_.size()); }
    /// Start point and kick direction (data units, projected; nullopt: no kick).
    void setStart(QPointF q0, std::optional<QPointF> kick_direction);
    /// Current-time markers (one per model shown).
    void setNow(std::vector<std::pair<QPointF, QColor>> points);
    /// Overlay segments drawn above the trajectories (empty: none).
    void setOverlay(std::vector<GlSegment> segments);
    /// The overlay segments last set.
    const std::vector<GlSegment>& overlay() const { return overlay_; }
    void setStyle(const HeatmapStyle& style);
    void setBackground(const QColor& bg, bool dark);

    /// The visible box in data units.
    PlaneBox visibleBox() const;
    /// Fits the view to a box (keeps equal aspect, adds a margin).
    void fitTo(const PlaneBox& box);
    /// Data point under a pixel of the window.
    QPointF toData(QPointF pixel) const;
    /// Pixel of a data point.
    QPointF toPixel(QPointF data) const;
    /// The start point's position (data).
    QPointF startPoint() const { return start_; }

    /// Draws the next frame now into the back buffer and lets software GL rasterise it while the
    /// caller goes on (the charts); the coming paint then only swaps, if nothing changed since.
    void drawAhead();

    /// Frames presented that drawAhead() had drawn (their paint only swapped).
    quint64 aheadFramesPresented() const { return ahead_presented_; }

    /// Generation of the trajectories last set.
    quint64 dataGeneration() const { return generation_; }
    /// Generation of the trajectories drawn by the last presented frame.
    quint64 presentedGeneration() const { return presented_; }
    /// Empty if every shader compiled and linked; otherwise the logs.
    QString shaderErrors() const { return errors_; }
    /// True once initializeGL has run.
    bool glReady() const { return ready_; }

  signals:
    /// The visible box changed (zoom, pan, resize): the loss grid should be resampled.
    void viewChanged();
    /// Start-point drag: begin, position (data), end.
    void startDragBegan();
    void startDragged(QPointF data);
    void startDragEnded();
    /// The mouse is over `data` (inside = true) or left the window.
    void hovered(QPointF data, bool inside);
    /// A frame showing trajectories of `generation` reached the screen.
    void presented(quint64 generation);
    /// Shader compile/link failure (the log).
    void glFailed(const QString& log);

  protected:
    void initializeGL() override;
    void resizeGL(int w, int h) override;
    void paintGL() override;
    void mousePressEvent(QMouseEvent* e) override;
    void mouseMoveEvent(QMouseEvent* e) override;
    void mouseReleaseEvent(QMouseEvent* e) override;
    void mouseDoubleClickEvent(QMouseEvent* e) override;
    void wheelEvent(QWheelEvent* e) override;
    void keyPressEvent(QKeyEvent* e) override;
    bool event(QEvent* e) override;

  private:
    bool buildProgram(QOpenGLShaderProgram& p, const QString& name);
    void uploadGrid();
    /// Rebuilds the line vertices; the orbits only when the heatmap cache (which holds them)
    /// is about to be redrawn: they do not change with a run.
    void rebuildLines(bool with_orbits);
    void appendStrip(const std::vector<float>& x, const std::vector<float>& y, bool decimate);
    void drawStrips(int first_strip, int count, const QColor& color, float width, float dash);
    void drawHeatmap(const QVector4D& view);
    void bindLineProgram(const QVector4D& view);
    QVector4D viewTransform() const;
    double pxPerUnit() const { return scale_; }
    void zoomAt(QPointF pixel, double factor);
    void changed();
    /// Every change of what a frame shows: counts it and schedules a paint.
    void touch();
    void drawFrame();
    /// NOETHER_PROFILE: waits for the GL work so far and records the wait under `stage`.
    void profileFinish(const char* stage);

    // View: centre (data) and pixels per data unit.
    double cx_ = 0.0, cy_ = 0.0, scale_ = 200.0;
    int w_ = 1, h_ = 1;

    HeatmapStyle style_;
    QColor bg_ = Qt::white;
    bool dark_ = false;

    // Data.
    LossGrid grid_;
    double f_lo_ = 0.0, f_hi_ = 1.0;
    bool grid_dirty_ = false;
    std::vector<GlPolyline> orbits_;
    std::array<GlPolyline, kTrajectorySlots> traj_;
    std::vector<GlPolyline> ghosts_;
    std::pair<int, int> ghost_strips_{0, 0};  // first strip, count
    QPointF start_;
    std::optional<QPointF> kick_;
    std::vector<std::pair<QPointF, QColor>> now_;
    std::vector<GlSegment> overlay_;
    bool overlay_dirty_ = true;
    bool lines_dirty_ = true;
    quint64 generation_ = 0, drawn_ = 0, presented_ = 0;
    quint64 content_ = 0;  ///< counts changes of what a frame shows
    struct Ahead {
        quint64 content = 0;
        int w = 0, h = 0;
        bool valid = false;
    } ahead_;  ///< the frame drawAhead() left in the back buffer
    bool drawing_ahead_ = false;
    bool swap_drawn_ahead_ = false;
    quint64 ahead_presented_ = 0;

    // GL objects.
    bool ready_ = false;
    QString errors_;
    QOpenGLShaderProgram heat_, line_, marker_, copy_;
    GLuint quad_vao_ = 0, quad_vbo_ = 0;
    GLuint line_vao_ = 0, line_vbo_ = 0;
    GLuint point_vao_ = 0, point_vbo_ = 0;
    GLuint overlay_vao_ = 0, overlay_vbo_ = 0;
    GLuint tex_loss_ = 0, tex_lut_ = 0;
    // The heatmap is drawn into this framebuffer only when the grid, style or view change; a
    // frame that only has new trajectories copies it (software GL: the shader is the big cost).
    GLuint cache_fbo_ = 0, cache_tex_ = 0;
    int cache_w_ = 0, cache_h_ = 0;
    bool cache_valid_ = false;
    std::vector<float> vertices_;
    struct Strip {
        GLint first;
        GLsizei count;
    };
    std::vector<Strip> strips_;
    int orbit_strips_ = 0;
    bool orbits_in_buffer_ = false;
    std::array<std::pair<int, int>, kTrajectorySlots> traj_strips_{};  // first strip, count
    int kick_strip_ = -1;
    double lines_scale_ = 0.0;

    // Mouse.
    enum class Drag { None, Start, Pan };
    Drag drag_ = Drag::None;
    bool start_locked_ = false;
    QPointF press_px_, last_px_;
};

}  // namespace noether::gui
