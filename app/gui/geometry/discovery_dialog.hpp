// "Find symmetries" (PHYSICS.md §4): runs the engine's symmetry discovery for the scene's loss
// (built-in or typed) off the GUI thread, and shows the singular-value spectrum of the sampled
// Lie-derivative matrix (log scale, the threshold τ and the largest gap marked), the generators
// found in words and as A and b, the closure check and the approximate-symmetry flag. "Adopt"
// makes the generators the loss's for this scene (SceneModel, one undo step): their orbits are
// drawn on the landscape and their charges J = m⟨q′, ξ(q)⟩ join the charge panel.
#pragma once

#include <QChartView>
#include <QCheckBox>
#include <QComboBox>
#include <QDialog>
#include <QDoubleSpinBox>
#include <QLabel>
#include <QPushButton>
#include <QSpinBox>
#include <QTextBrowser>
#include <QTimer>
#include <optional>

#include "gui/model/scene_model.hpp"
#include "noether/discovery.hpp"

namespace noether::gui {

/// The outcome of one discovery run, with what it was run on.
struct DiscoveryOutcome {
    LossSpec spec;                   ///< the loss it was run for
    DiscoveryOptions options;        ///< the options used
    std::optional<Discovery> found;  ///< the result, or none on error
    QString error;                   ///< the engine's error
    std::vector<Generator> own;      ///< the loss's own (built-in) generators
};

/// Relative size below which an entry of an exact generator is round-off (shown and adopted as 0).
inline constexpr double kExactClean = 1e-9;
/// The same for approximate generators: behind a gap of three decades or more, smaller parts are
/// the breaking's residue, not the symmetry.
inline constexpr double kApproximateClean = 1e-3;

/// A discovered generator as shown and adopted: entries below `clean` of the largest set to 0,
/// scaled so the largest |entry| of (A, b) is 1, and a rotation oriented counter-clockwise in its
/// first plane like rotation_generator (A(j, i) > 0 for i < j).
Generator normalisedGenerator(const DiscoveredGenerator& found, double clean);

/// Generators ready to adopt: normalised, each replaced by the loss's own generator when parallel
/// to it (keeping its name, sign and closed-form laws).
std::vector<Generator> generatorsToAdopt(const std::vector<DiscoveredGenerator>& found,
                                         const std::vector<Generator>& own,
                                         double clean = kExactClean);

/// Runs discovery for a loss spec (any thread).
DiscoveryOutcome runDiscovery(const LossSpec& spec, const DiscoveryOptions& options);

/// The dialog.
class DiscoveryDialog : public QDialog {
    Q_OBJECT
  public:
    explicit DiscoveryDialog(SceneModel* model, QWidget* parent = nullptr);

    /// Starts a discovery for the scene's loss off the GUI thread.
    void run();
    /// Runs it on this thread (tests).
    void runNow();
    /// The last outcome shown.
    const std::optional<DiscoveryOutcome>& outcome() const { return outcome_; }
    /// Adopts the exact generators (or the approximate ones); false if there is nothing to adopt
    /// or the loss changed since.
    bool adopt(bool approximate = false);

    QPushButton* adoptButton() const { return adopt_; }
    QPushButton* adoptApproximateButton() const { return adopt_near_; }
    QTextBrowser* generatorsView() const { return generators_; }
    QChartView* spectrumView() const { return spectrum_; }
    QLabel* summaryLabel() const { return summary_; }

  signals:
    /// A discovery finished and is on screen.
    void discovered(bool ok);

  protected:
    void showEvent(QShowEvent* e) override;

  private:
    DiscoveryOptions options() const;
    void showOutcome(DiscoveryOutcome out);
    void drawSpectrum(const Discovery& d);
    void updateButtons();
    QString generatorsHtml(const std::vector<DiscoveredGenerator>& gens, double clean) const;

    SceneModel* model_;
    QSpinBox* samples_;
    QComboBox* tol_;
    QSpinBox* seed_;
    QComboBox* centre_;
    QDoubleSpinBox* radius_;
    QPushButton* find_;
    QLabel* summary_;
    QChartView* spectrum_;
    QTextBrowser* generators_;
    QPushButton* adopt_;
    QPushButton* adopt_near_;
    QPushButton* clear_;
    QTimer rerun_;
    quint64 serial_ = 0;
    bool running_ = false;
    std::optional<DiscoveryOutcome> outcome_;
};

}  // namespace noether::gui
