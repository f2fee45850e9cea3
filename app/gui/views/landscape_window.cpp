#include "gui/views/landscape_window.hpp"

#include <QFile>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QSurfaceFormat>
#include <QVector4D>
#include <QWheelEvent>
#include <cmath>

#include "gui/profile.hpp"
#include "gui/views/colormaps.hpp"

namespace noether::gui {

namespace {
constexpr float kNotFinite = 1e31f;
constexpr int kFloatsPerVertex = 8;  // prev(2) cur(2) next(2) side dist

QVector4D rgba(const QColor& c) {
    return QVector4D(static_cast<float>(c.redF()), static_cast<float>(c.greenF()),
                     static_cast<float>(c.blueF()), static_cast<float>(c.alphaF()));
}
}  // namespace

LandscapeWindow::LandscapeWindow() : QOpenGLWindow(QOpenGLWindow::NoPartialUpdate) {
    QSurfaceFormat fmt;
    fmt.setRenderableType(QSurfaceFormat::OpenGL);
    fmt.setVersion(3, 3);
    fmt.setProfile(QSurfaceFormat::CoreProfile);
    fmt.setDepthBufferSize(0);
    fmt.setStencilBufferSize(0);
    fmt.setSamples(0);  // anti-aliasing is done in the shaders (cheap on software GL)
    setFormat(fmt);
    connect(this, &QOpenGLWindow::frameSwapped, this, [this] {
        profileMark("GL frame swapped");
        presented_ = drawn_;
        if (swap_drawn_ahead_) ++ahead_presented_;
        swap_drawn_ahead_ = false;
        emit presented(presented_);
    });
}

LandscapeWindow::~LandscapeWindow() {
    if (!ready_ || !context()) return;
    makeCurrent();
    glDeleteVertexArrays(1, &quad_vao_);
    glDeleteVertexArrays(1, &line_vao_);
    glDeleteVertexArrays(1, &point_vao_);
    glDeleteVertexArrays(1, &overlay_vao_);
    glDeleteBuffers(1, &overlay_vbo_);
    glDeleteBuffers(1, &quad_vbo_);
    glDeleteBuffers(1, &line_vbo_);
    glDeleteBuffers(1, &point_vbo_);
    glDeleteTextures(1, &tex_loss_);
    glDeleteTextures(1, &tex_lut_);
    if (cache_fbo_) glDeleteFramebuffers(1, &cache_fbo_);
    if (cache_tex_) glDeleteTextures(1, &cache_tex_);
    doneCurrent();
}

bool LandscapeWindow::buildProgram(QOpenGLShaderProgram& p, const QString& name) {
    bool ok = p.addShaderFromSourceFile(QOpenGLShader::Vertex, ":/shaders/" + name + ".vert");
    if (!ok) errors_ += name + ".vert: " + p.log() + "\n";
    if (ok) {
        ok = p.addShaderFromSourceFile(QOpenGLShader::Fragment, ":/shaders/" + name + ".frag");
        if (!ok) errors_ += name + ".frag: " + p.log() + "\n";
    }
    if (ok) {
        ok = p.link();
        if (!ok) errors_ += name + " (link): " + p.log() + "\n";
    }
    return ok;
}

void LandscapeWindow::initializeGL() {
    profileMark("GL initialize begin");
    initializeOpenGLFunctions();
    errors_.clear();
    const bool ok = buildProgram(heat_, "landscape") & buildProgram(line_, "line") &
                    buildProgram(marker_, "marker") & buildProgram(copy_, "copy");
    if (!ok) {
        qWarning("noetherlab: shader build failed:\n%s", qPrintable(errors_));
        emit glFailed(errors_);
    }
    // Quad for the heatmap.
    const float quad[] = {0, 0, 1, 0, 0, 1, 1, 1};
    glGenVertexArrays(1, &quad_vao_);
    glGenBuffers(1, &quad_vbo_);
    glBindVertexArray(quad_vao_);
    glBindBuffer(GL_ARRAY_BUFFER, quad_vbo_);
    glBufferData(GL_ARRAY_BUFFER, sizeof quad, quad, GL_STATIC_DRAW);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    // Line strips: prev, cur, next, side, dist (the overlay segments use the same layout).
    using Pair = std::pair<GLuint*, GLuint*>;
    for (auto [vao, vbo] : {Pair{&line_vao_, &line_vbo_}, Pair{&overlay_vao_, &overlay_vbo_}}) {
        glGenVertexArrays(1, vao);
        glGenBuffers(1, vbo);
        glBindVertexArray(*vao);
        glBindBuffer(GL_ARRAY_BUFFER, *vbo);
        const GLsizei stride = kFloatsPerVertex * sizeof(float);
        for (int a = 0; a < 3; ++a) {
            glEnableVertexAttribArray(a);
            glVertexAttribPointer(
                a, 2, GL_FLOAT, GL_FALSE, stride,
                reinterpret_cast<void*>(static_cast<uintptr_t>(2 * a * sizeof(float))));
        }
        glEnableVertexAttribArray(3);
        glVertexAttribPointer(3, 1, GL_FLOAT, GL_FALSE, stride,
                              reinterpret_cast<void*>(static_cast<uintptr_t>(6 * sizeof(float))));
        glEnableVertexAttribArray(4);
        glVertexAttribPointer(4, 1, GL_FLOAT, GL_FALSE, stride,
                              reinterpret_cast<void*>(static_cast<uintptr_t>(7 * sizeof(float))));
    }
    // Points.
    glGenVertexArrays(1, &point_vao_);
    glGenBuffers(1, &point_vbo_);
    glBindVertexArray(point_vao_);
    glBindBuffer(GL_ARRAY_BUFFER, point_vbo_);
    glEnableVertexAttribArray(0);
    glVertexAttribPointer(0, 2, GL_FLOAT, GL_FALSE, 0, nullptr);
    glBindVertexArray(0);
    // Colour maps: 256 x 2 RGB.
    std::vector<std::uint8_t> lut(256 * 2 * 3);
    std::copy(kViridis.begin(), kViridis.end(), lut.begin());
    std::copy(kCividis.begin(), kCividis.end(), lut.begin() + 768);
    glGenTextures(1, &tex_lut_);
    glBindTexture(GL_TEXTURE_2D, tex_lut_);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 1);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_RGB8, 256, 2, 0, GL_RGB, GL_UNSIGNED_BYTE, lut.data());
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    glGenTextures(1, &tex_loss_);
    glBindTexture(GL_TEXTURE_2D, tex_loss_);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_LINEAR);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_S, GL_CLAMP_TO_EDGE);
    glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_WRAP_T, GL_CLAMP_TO_EDGE);
    ready_ = ok;
    grid_dirty_ = true;
    lines_dirty_ = true;
    overlay_dirty_ = true;
    profileMark("GL initialize end");
}

void LandscapeWindow::resizeGL(int, int) {
    changed();
}

QVector4D LandscapeWindow::viewTransform() const {
    const double sx = 2.0 * scale_ / std::max(width(), 1),
                 sy = 2.0 * scale_ / std::max(height(), 1);
    return QVector4D(static_cast<float>(sx), static_cast<float>(sy), static_cast<float>(-cx_ * sx),
                     static_cast<float>(-cy_ * sy));
}

PlaneBox LandscapeWindow::visibleBox() const {
    const double hw = 0.5 * width() / scale_, hh = 0.5 * height() / scale_;
    return {cx_ - hw, cx_ + hw, cy_ - hh, cy_ + hh};
}

void LandscapeWindow::fitTo(const PlaneBox& box) {
    double bw = box.x1 - box.x0, bh = box.y1 - box.y0;
    const double ext = std::max({bw, bh, 1e-6});
    bw = std::max(bw, 0.25 * ext);
    bh = std::max(bh, 0.25 * ext);
    cx_ = 0.5 * (box.x0 + box.x1);
    cy_ = 0.5 * (box.y0 + box.y1);
    const double w = std::max(width(), 50), h = std::max(height(), 50);
    scale_ = std::min(w / (1.2 * bw), h / (1.2 * bh));
    changed();
}

QPointF LandscapeWindow::toData(QPointF px) const {
    return {cx_ + (px.x() - 0.5 * width()) / scale_, cy_ - (px.y() - 0.5 * height()) / scale_};
}

QPointF LandscapeWindow::toPixel(QPointF d) const {
    return {0.5 * width() + (d.x() - cx_) * scale_, 0.5 * height() - (d.y() - cy_) * scale_};
}

void LandscapeWindow::touch() {
    ++content_;
    update();
}

void LandscapeWindow::changed() {
    cache_valid_ = false;
    emit viewChanged();
    touch();
}

void LandscapeWindow::setGrid(const LossGrid& grid, double f_lo, double f_hi) {
    grid_ = grid;
    f_lo_ = f_lo;
    f_hi_ = f_hi;
    grid_dirty_ = true;
    cache_valid_ = false;
    touch();
}

void LandscapeWindow::setOrbits(const std::vector<OrbitPolyline>& orbits) {
    orbits_.clear();
    for (const auto& o : orbits) {
        GlPolyline p;
        p.x.assign(o.x.begin(), o.x.end());
        p.y.assign(o.y.begin(), o.y.end());
        orbits_.push_back(std::move(p));
    }
    lines_dirty_ = true;
    cache_valid_ = false;
    touch();
}

void LandscapeWindow::setTrajectories(std::array<GlPolyline, kTrajectorySlots> lines,
                                      quint64 generation) {
    traj_ = std::move(lines);
    generation_ = generation;
    lines_dirty_ = true;
    touch();
}

void LandscapeWindow::setStart(QPointF q0, std::optional<QPointF> kick) {
    if (q0 == start_ && kick == kick_) return;
    start_ = q0;
    kick_ = kick;
    lines_dirty_ = true;
    touch();
}

void LandscapeWindow::setNow(std::vector<std::pair<QPointF, QColor>> points) {
    if (points == now_) return;
    now_ = std::move(points);
    touch();
}

void LandscapeWindow::setOverlay(std::vector<GlSegment> segments) {
    overlay_ = std::move(segments);
    overlay_dirty_ = true;
    touch();
}

void LandscapeWindow::setStyle(const HeatmapStyle& style) {
    style_ = style;
    cache_valid_ = false;
    touch();
}

void LandscapeWindow::setBackground(const QColor& bg, bool dark) {
    bg_ = bg;
    dark_ = dark;
    cache_valid_ = false;
    touch();
}

void LandscapeWindow::uploadGrid() {
    const ProfileScope prof("  GL upload grid");
    if (grid_.nx < 2 || grid_.ny < 2) return;
    std::vector<float> data(grid_.values.size());
    for (size_t k = 0; k < data.size(); ++k) {
        const double v = grid_.values[k];
        data[k] = std::isfinite(v) && std::abs(v) < 1e30 ? static_cast<float>(v) : kNotFinite;
    }
    glBindTexture(GL_TEXTURE_2D, tex_loss_);
    glPixelStorei(GL_UNPACK_ALIGNMENT, 4);
    glTexImage2D(GL_TEXTURE_2D, 0, GL_R32F, grid_.nx, grid_.ny, 0, GL_RED, GL_FLOAT, data.data());
    grid_dirty_ = false;
}

void LandscapeWindow::appendStrip(const std::vector<float>& x, const std::vector<float>& y,
                                  bool decimate) {
    const size_t n = std::min(x.size(), y.size());
    // Keep a point when it is at least 0.75 px from the last one kept.
    std::vector<size_t> keep;
    keep.reserve(n);
    const double min_d = 0.75 / scale_;
    for (size_t i = 0; i < n; ++i) {
        if (!std::isfinite(x[i]) || !std::isfinite(y[i])) continue;
        if (decimate && !keep.empty() && i + 1 < n) {
            const size_t j = keep.back();
            if (std::abs(x[i] - x[j]) < min_d && std::abs(y[i] - y[j]) < min_d) continue;
        }
        keep.push_back(i);
    }
    if (keep.size() < 2) return;
    const GLint first = static_cast<GLint>(vertices_.size() / kFloatsPerVertex);
    double dist = 0.0;
    for (size_t k = 0; k < keep.size(); ++k) {
        const size_t i = keep[k];
        const size_t ip = keep[k > 0 ? k - 1 : 0], in = keep[k + 1 < keep.size() ? k + 1 : k];
        if (k > 0) dist += std::hypot(double(x[i]) - x[ip], double(y[i]) - y[ip]);
        for (float side : {-1.0f, 1.0f}) {
            vertices_.insert(vertices_.end(), {x[ip], y[ip], x[i], y[i], x[in], y[in], side,
                                               static_cast<float>(dist)});
        }
    }
    strips_.push_back({first, static_cast<GLsizei>(2 * keep.size())});
}

void LandscapeWindow::rebuildLines(bool with_orbits) {
    const ProfileScope prof("  GL rebuild lines");
    vertices_.clear();
    strips_.clear();
    if (with_orbits)
        for (const auto& o : orbits_)
            appendStrip(o.x, o.y, false);
    orbit_strips_ = static_cast<int>(strips_.size());
    orbits_in_buffer_ = with_orbits;
    const int ghosts_first = static_cast<int>(strips_.size());
    for (const GlPolyline& g : ghosts_)
        appendStrip(g.x, g.y, true);
    ghost_strips_ = {ghosts_first, static_cast<int>(strips_.size()) - ghosts_first};
    for (size_t m = 0; m < kTrajectorySlots; ++m) {
        const int before = static_cast<int>(strips_.size());
        appendStrip(traj_[m].x, traj_[m].y, true);
        traj_strips_[m] = {before, static_cast<int>(strips_.size()) - before};
    }
    kick_strip_ = -1;
    if (kick_) {
        // Arrow of 70 px from the start along the kick direction.
        const double len = 70.0 / scale_, head = 18.0 / scale_;
        const double dx = kick_->x(), dy = kick_->y(), n = std::hypot(dx, dy);
        if (n > 0) {
            const double ux = dx / n, uy = dy / n;
            const double tx = start_.x() + len * ux, ty = start_.y() + len * uy;
            kick_strip_ = static_cast<int>(strips_.size());
            appendStrip({float(start_.x()), float(tx)}, {float(start_.y()), float(ty)}, false);
            const double c = std::cos(0.45), s = std::sin(0.45);
            const double lx = -(ux * c - uy * s), ly = -(ux * s + uy * c);
            const double rx = -(ux * c + uy * s), ry = -(-ux * s + uy * c);
            appendStrip({float(tx + head * lx), float(tx), float(tx + head * rx)},
                        {float(ty + head * ly), float(ty), float(ty + head * ry)}, false);
        }
    }
    if (profiling()) {
        profileAdd("  GL line vertices", double(vertices_.size() / kFloatsPerVertex));
        int traj = 0;
        for (size_t m = 0; m < kTrajectorySlots; ++m)
            for (int k = traj_strips_[m].first; k < traj_strips_[m].first + traj_strips_[m].second;
                 ++k)
                traj += strips_[k].count;
        profileAdd("  GL trajectory vertices", traj);
    }
    glBindBuffer(GL_ARRAY_BUFFER, line_vbo_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(vertices_.size() * sizeof(float)),
                 vertices_.data(), GL_DYNAMIC_DRAW);
    lines_dirty_ = false;
    lines_scale_ = scale_;
}

void LandscapeWindow::drawStrips(int first_strip, int count, const QColor& color, float width,
                                 float dash) {
    if (count <= 0) return;
    line_.setUniformValue("u_color", rgba(color));
    line_.setUniformValue("u_width", width);
    line_.setUniformValue("u_dash", dash);
    for (int s = first_strip; s < first_strip + count; ++s)
        glDrawArrays(GL_TRIANGLE_STRIP, strips_[s].first, strips_[s].count);
}

void LandscapeWindow::bindLineProgram(const QVector4D& view) {
    line_.bind();
    line_.setUniformValue("u_view", view);
    line_.setUniformValue("u_viewport", QVector2D(float(w_), float(h_)));
    line_.setUniformValue("u_px_per_unit", float(scale_ * devicePixelRatio()));
    glBindVertexArray(line_vao_);
}

void LandscapeWindow::drawHeatmap(const QVector4D& view) {
    heat_.bind();
    glActiveTexture(GL_TEXTURE0);
    glBindTexture(GL_TEXTURE_2D, tex_loss_);
    glActiveTexture(GL_TEXTURE1);
    glBindTexture(GL_TEXTURE_2D, tex_lut_);
    heat_.setUniformValue("u_loss", 0);
    heat_.setUniformValue("u_lut", 1);
    heat_.setUniformValue("u_lut_row", style_.colormap == 1 ? 0.75f : 0.25f);
    heat_.setUniformValue("u_box", QVector4D(float(grid_.box.x0), float(grid_.box.y0),
                                             float(grid_.box.x1), float(grid_.box.y1)));
    heat_.setUniformValue("u_view", view);
    heat_.setUniformValue("u_range", QVector2D(float(f_lo_), float(f_hi_)));
    heat_.setUniformValue("u_log", style_.log_scale ? 1 : 0);
    heat_.setUniformValue("u_log_floor", 1e-3f);
    heat_.setUniformValue("u_levels", 12.0f);
    heat_.setUniformValue("u_iso", style_.isolines ? 0.8f : 0.0f);
    heat_.setUniformValue("u_wash", float(style_.wash));
    heat_.setUniformValue("u_bg",
                          QVector3D(float(bg_.redF()), float(bg_.greenF()), float(bg_.blueF())));
    glBindVertexArray(quad_vao_);
    glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
    glActiveTexture(GL_TEXTURE0);
}

void LandscapeWindow::profileFinish(const char* stage) {
    // Not in a frame drawn ahead: a finish there would wait for what should run beside the charts.
    if (!profiling() || drawing_ahead_) return;
    QElapsedTimer t;
    t.start();
    glFinish();
    profileAdd(stage, static_cast<double>(t.nsecsElapsed()) * 1e-6);
}

void LandscapeWindow::drawAhead() {
    if (!ready_ || !isExposed() || !context()) return;
    const ProfileScope prof("draw GL ahead");
    makeCurrent();
    drawing_ahead_ = true;
    drawFrame();
    drawing_ahead_ = false;
    // Software GL rasterises on its own threads from here on, beside the charts' work.
    glFlush();
    ahead_ = {content_, w_, h_, true};
}

void LandscapeWindow::paintGL() {
    const ProfileScope prof("paint GL");
    profileMark("GL paint begin");
    const qreal dpr = devicePixelRatio();
    const int w = std::max(1, static_cast<int>(std::lround(width() * dpr)));
    const int h = std::max(1, static_cast<int>(std::lround(height() * dpr)));
    // Drawn ahead for exactly this content and size: the back buffer holds the frame.
    const bool ahead = ahead_.valid && ahead_.content == content_ && ahead_.w == w && ahead_.h == h;
    ahead_.valid = false;
    swap_drawn_ahead_ = ahead;
    if (ahead) {
        profileMark("GL frame was drawn ahead");
        return;
    }
    drawFrame();
}

void LandscapeWindow::drawFrame() {
    const qreal dpr = devicePixelRatio();
    w_ = std::max(1, static_cast<int>(std::lround(width() * dpr)));
    h_ = std::max(1, static_cast<int>(std::lround(height() * dpr)));
    glViewport(0, 0, static_cast<GLsizei>(w_), static_cast<GLsizei>(h_));
    glClearColor(static_cast<float>(bg_.redF()), static_cast<float>(bg_.greenF()),
                 static_cast<float>(bg_.blueF()), 1.0f);
    drawn_ = generation_;
    if (!ready_) return;
    // scale_ is per logical pixel; line widths and dashes are in device pixels.
    const QVector4D view = viewTransform();
    if (grid_dirty_) uploadGrid();
    const bool redraw_cache = !cache_valid_ || cache_w_ != w_ || cache_h_ != h_;
    if (lines_dirty_ || lines_scale_ != scale_ || (redraw_cache && !orbits_in_buffer_))
        rebuildLines(redraw_cache);

    // Heatmap and orbits: from the cache, redrawn into it only when they changed.
    if (grid_.nx < 2) glClear(GL_COLOR_BUFFER_BIT);
    if (grid_.nx >= 2) {
        const GLuint screen = defaultFramebufferObject();
        if (!cache_valid_ || cache_w_ != w_ || cache_h_ != h_) {
            if (cache_w_ != w_ || cache_h_ != h_ || !cache_fbo_) {
                if (!cache_fbo_) glGenFramebuffers(1, &cache_fbo_);
                if (!cache_tex_) glGenTextures(1, &cache_tex_);
                glBindTexture(GL_TEXTURE_2D, cache_tex_);
                glTexImage2D(GL_TEXTURE_2D, 0, GL_RGBA8, w_, h_, 0, GL_RGBA, GL_UNSIGNED_BYTE,
                             nullptr);
                glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MIN_FILTER, GL_NEAREST);
                glTexParameteri(GL_TEXTURE_2D, GL_TEXTURE_MAG_FILTER, GL_NEAREST);
                glBindFramebuffer(GL_FRAMEBUFFER, cache_fbo_);
                glFramebufferTexture2D(GL_FRAMEBUFFER, GL_COLOR_ATTACHMENT0, GL_TEXTURE_2D,
                                       cache_tex_, 0);
                cache_w_ = w_;
                cache_h_ = h_;
            }
            glBindFramebuffer(GL_FRAMEBUFFER, cache_fbo_);
            glViewport(0, 0, w_, h_);
            glClear(GL_COLOR_BUFFER_BIT);
            drawHeatmap(view);
            if (style_.orbits && orbit_strips_ > 0) {
                glEnable(GL_BLEND);
                glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
                bindLineProgram(view);
                const QColor oc = dark_ ? QColor(255, 255, 255, 90) : QColor(255, 255, 255, 130);
                drawStrips(0, orbit_strips_, oc, float(1.6 * devicePixelRatio()), 0.0f);
                glDisable(GL_BLEND);
            }
            cache_valid_ = true;
        }
        // The cached layer onto the window: a textured quad (the same pixels as a blit; a
        // blit's first use built llvmpipe's blitter shaders, 38 of the first frame's 84 ms).
        glBindFramebuffer(GL_FRAMEBUFFER, screen);
        glViewport(0, 0, w_, h_);
        glDisable(GL_BLEND);
        copy_.bind();
        glActiveTexture(GL_TEXTURE0);
        glBindTexture(GL_TEXTURE_2D, cache_tex_);
        copy_.setUniformValue("u_layer", 0);
        glBindVertexArray(quad_vao_);
        glDrawArrays(GL_TRIANGLE_STRIP, 0, 4);
        glBindVertexArray(0);
    }
    profileFinish("GL finish heatmap");

    // Lines.
    const ProfileScope lines_prof("  GL enqueue lines+markers");
    glEnable(GL_BLEND);
    glBlendFunc(GL_SRC_ALPHA, GL_ONE_MINUS_SRC_ALPHA);
    bindLineProgram(view);
    const QColor halo = dark_ ? QColor(0, 0, 0, 200) : QColor(255, 255, 255, 220);
    // Ghosts (companion scenes) under everything else: dotted, in the halo's opposite grey.
    if (ghost_strips_.second > 0) {
        const QColor gc = dark_ ? QColor(235, 235, 235, 230) : QColor(40, 40, 40, 230);
        drawStrips(ghost_strips_.first, ghost_strips_.second, halo, float(6.0 * dpr), 0.0f);
        drawStrips(ghost_strips_.first, ghost_strips_.second, gc, float(3.0 * dpr),
                   float(10.0 * dpr));
    }
    // Trajectories: every halo first (so lines read on any colour), then the models from the
    // widest (discrete) to the thinnest on top, so that agreeing models stay visible.
    for (int m : {0, 2, 1, 3, 4}) {
        const auto [first, count] = traj_strips_[m];
        if (count > 0) drawStrips(first, count, halo, float((traj_[m].width + 3.0f) * dpr), 0.0f);
    }
    for (int m : {0, 2, 1, 3, 4}) {
        const auto [first, count] = traj_strips_[m];
        if (count <= 0) continue;
        const GlPolyline& t = traj_[m];
        drawStrips(first, count, t.color, float(t.width * dpr), float(t.dash * dpr));
    }
    if (kick_strip_ >= 0) {
        const QColor kc = dark_ ? QColor(255, 255, 255) : QColor(20, 20, 20);
        drawStrips(kick_strip_, 2, halo, float(6.5 * dpr), 0.0f);
        drawStrips(kick_strip_, 2, kc, float(3.5 * dpr), 0.0f);
    }
    // Overlay segments (4 vertices each: two points, two sides), halos first.
    if (!overlay_.empty()) {
        if (overlay_dirty_) {
            std::vector<float> v;
            v.reserve(overlay_.size() * 4 * kFloatsPerVertex);
            for (const GlSegment& sg : overlay_) {
                const float ax = float(sg.a.x()), ay = float(sg.a.y());
                const float bx = float(sg.b.x()), by = float(sg.b.y());
                for (float side : {-1.0f, 1.0f})
                    v.insert(v.end(), {ax, ay, ax, ay, bx, by, side, 0.0f});
                for (float side : {-1.0f, 1.0f})
                    v.insert(v.end(), {ax, ay, bx, by, bx, by, side, 0.0f});
            }
            glBindBuffer(GL_ARRAY_BUFFER, overlay_vbo_);
            glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(v.size() * sizeof(float)),
                         v.data(), GL_DYNAMIC_DRAW);
            overlay_dirty_ = false;
        }
        glBindVertexArray(overlay_vao_);
        line_.setUniformValue("u_dash", 0.0f);
        for (int pass = 0; pass < 2; ++pass)
            for (size_t k = 0; k < overlay_.size(); ++k) {
                const GlSegment& sg = overlay_[k];
                line_.setUniformValue("u_color", rgba(pass == 0 ? halo : sg.color));
                line_.setUniformValue("u_width",
                                      float((sg.width + (pass == 0 ? 3.0f : 0.0f)) * dpr));
                glDrawArrays(GL_TRIANGLE_STRIP, static_cast<GLint>(4 * k), 4);
            }
        glBindVertexArray(line_vao_);
    }

    profileFinish("GL finish lines");
    // Markers: current time of each model, then the start point on top.
    std::vector<float> pts;
    for (const auto& [p, c] : now_) {
        pts.push_back(float(p.x()));
        pts.push_back(float(p.y()));
    }
    pts.push_back(float(start_.x()));
    pts.push_back(float(start_.y()));
    glBindVertexArray(point_vao_);
    glBindBuffer(GL_ARRAY_BUFFER, point_vbo_);
    glBufferData(GL_ARRAY_BUFFER, static_cast<GLsizeiptr>(pts.size() * sizeof(float)), pts.data(),
                 GL_DYNAMIC_DRAW);
    glEnable(GL_PROGRAM_POINT_SIZE);
    marker_.bind();
    marker_.setUniformValue("u_view", view);
    const QColor ring = dark_ ? QColor(0, 0, 0) : QColor(255, 255, 255);
    for (size_t k = 0; k < now_.size(); ++k) {
        marker_.setUniformValue("u_size", float(18.0 * dpr));
        marker_.setUniformValue("u_ring_px", float(3.0 * dpr));
        marker_.setUniformValue("u_fill", rgba(now_[k].second));
        marker_.setUniformValue("u_ring", rgba(ring));
        glDrawArrays(GL_POINTS, static_cast<GLint>(k), 1);
    }
    marker_.setUniformValue("u_size", float(24.0 * dpr));
    marker_.setUniformValue("u_ring_px", float(5.0 * dpr));
    marker_.setUniformValue("u_fill", rgba(dark_ ? QColor(20, 20, 20) : QColor(255, 255, 255)));
    marker_.setUniformValue("u_ring", rgba(dark_ ? QColor(255, 255, 255) : QColor(20, 20, 20)));
    glDrawArrays(GL_POINTS, static_cast<GLint>(now_.size()), 1);
    glBindVertexArray(0);
    glDisable(GL_BLEND);
    profileFinish("GL finish markers");
}

void LandscapeWindow::zoomAt(QPointF px, double factor) {
    const QPointF before = toData(px);
    scale_ = std::clamp(scale_ * factor, 1e-6, 1e9);
    const QPointF after = toData(px);
    cx_ += before.x() - after.x();
    cy_ += before.y() - after.y();
    changed();
}

void LandscapeWindow::mousePressEvent(QMouseEvent* e) {
    press_px_ = last_px_ = e->position();
    const QPointF sp = toPixel(start_);
    const double d = std::hypot(sp.x() - e->position().x(), sp.y() - e->position().y());
    if (start_locked_) {
        drag_ = Drag::Pan;  // the start stays where the lesson put it
    } else if (e->button() == Qt::LeftButton && d <= 16.0 &&
               !(e->modifiers() & Qt::ControlModifier)) {
        drag_ = Drag::Start;
        emit startDragBegan();
    } else if (e->button() == Qt::LeftButton && (e->modifiers() & Qt::ShiftModifier)) {
        drag_ = Drag::Start;
        emit startDragBegan();
        emit startDragged(toData(e->position()));
    } else if (e->button() == Qt::LeftButton || e->button() == Qt::RightButton ||
               e->button() == Qt::MiddleButton) {
        drag_ = Drag::Pan;
    }
    e->accept();
}

void LandscapeWindow::mouseMoveEvent(QMouseEvent* e) {
    const QPointF p = e->position();
    if (drag_ == Drag::Start) {
        emit startDragged(toData(p));
    } else if (drag_ == Drag::Pan) {
        cx_ -= (p.x() - last_px_.x()) / scale_;
        cy_ += (p.y() - last_px_.y()) / scale_;
        changed();
    }
    last_px_ = p;
    emit hovered(toData(p), true);
    e->accept();
}

void LandscapeWindow::mouseReleaseEvent(QMouseEvent* e) {
    if (drag_ == Drag::Start) {
        emit startDragged(toData(e->position()));
        emit startDragEnded();
    }
    drag_ = Drag::None;
    e->accept();
}

void LandscapeWindow::mouseDoubleClickEvent(QMouseEvent* e) {
    if (e->button() != Qt::LeftButton || start_locked_) return;
    emit startDragBegan();
    emit startDragged(toData(e->position()));
    emit startDragEnded();
    e->accept();
}

void LandscapeWindow::wheelEvent(QWheelEvent* e) {
    const double steps = e->angleDelta().y() / 120.0;
    if (steps != 0.0) zoomAt(e->position(), std::pow(1.15, steps));
    e->accept();
}

void LandscapeWindow::keyPressEvent(QKeyEvent* e) {
    const QPointF centre(0.5 * width(), 0.5 * height());
    const double pan = 40.0 / scale_;
    switch (e->key()) {
        case Qt::Key_Plus:
        case Qt::Key_Equal:
            zoomAt(centre, 1.25);
            break;
        case Qt::Key_Minus:
            zoomAt(centre, 0.8);
            break;
        case Qt::Key_Left:
            cx_ -= pan;
            changed();
            break;
        case Qt::Key_Right:
            cx_ += pan;
            changed();
            break;
        case Qt::Key_Up:
            cy_ += pan;
            changed();
            break;
        case Qt::Key_Down:
            cy_ -= pan;
            changed();
            break;
        default:
            QOpenGLWindow::keyPressEvent(e);
            return;
    }
    e->accept();
}

bool LandscapeWindow::event(QEvent* e) {
    if (e->type() == QEvent::Leave) emit hovered(QPointF(), false);
    return QOpenGLWindow::event(e);
}

}  // namespace noether::gui
