// The export dialogs of the File menu (widgets; part of the GUI library, not of the headless
// noether_figure): a figure (view, format, size preset, DPI, palette, time marker, file), an
// animation (view, PNG sequence / MP4 / GIF, frames, fps, target), and the result of a data
// export with its generated caption.
#pragma once

#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDoubleSpinBox>
#include <QLineEdit>
#include <QSpinBox>

#include "gui/figure/animation.hpp"
#include "gui/figure/figure_composer.hpp"

namespace noether::gui {

/// Export view / Export figure.
class ExportFigureDialog : public QDialog {
    Q_OBJECT
  public:
    ExportFigureDialog(QWidget* parent, figure::FigureView view, figure::Palette palette,
                       const QString& folder, const QString& stem);
    /// The settings chosen (time marker at `time_index` if asked for).
    figure::ExportSettings settings(long time_index) const;
    /// The file to write.
    QString path() const { return path_->text(); }

  private:
    void updatePath();
    void updateEnabled();

    QComboBox* view_;
    QComboBox* format_;
    QComboBox* size_;
    QDoubleSpinBox* dpi_;
    QComboBox* palette_;
    QCheckBox* marker_;
    QLineEdit* path_;
    QString folder_, stem_;
};

/// Export animation.
class ExportAnimationDialog : public QDialog {
    Q_OBJECT
  public:
    ExportAnimationDialog(QWidget* parent, figure::Palette palette, const QString& folder,
                          const QString& stem);
    figure::AnimationSettings settings() const;
    /// 0 PNG sequence (path is a folder), 1 MP4, 2 GIF (path is a file).
    int kind() const { return kind_->currentIndex(); }
    QString path() const { return path_->text(); }

  private:
    void updatePath();

    QComboBox* view_;
    QComboBox* kind_;
    QComboBox* size_;
    QSpinBox* frames_;
    QSpinBox* fps_;
    QComboBox* palette_;
    QLineEdit* path_;
    QString folder_, stem_;
};

/// Shows what Export data wrote and the caption, with a Copy button.
class CaptionDialog : public QDialog {
    Q_OBJECT
  public:
    CaptionDialog(QWidget* parent, const QString& caption, const QStringList& files);
};

}  // namespace noether::gui
