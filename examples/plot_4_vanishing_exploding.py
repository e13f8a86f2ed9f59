r"""
=====================================
Vanishing and exploding gradients
=====================================

The size of a gradient step is the learning rate *times the gradient*. When
the gradient is nearly zero far from the minimum, descent crawls however
long it runs: the gradient has *vanished*. When it is huge, one step throws
the parameters far away: it has *exploded*. Both come from the chain rule,
which multiplies the slopes of the pieces a model is made of. This example
shows each on a model of one or two parameters.
"""

# %%
# Vanishing: a saturated sigmoid neuron
# -------------------------------------
#
# The neuron of the second tutorial, :math:`f(x) = \sigma(w x + b)` with
# :math:`\sigma(z) = 1 / (1 + e^{-z})`, on the points :math:`(0.5, 0.2)` and
# :math:`(2.5, 0.9)`. With the squared error the chain rule gives
#
# .. math::
#
#     \frac{\partial}{\partial w} \tfrac12 (f - y)^2 = (f - y)\, f (1 - f)\, x,
#
# and the slope of the sigmoid, :math:`f (1 - f)`, is almost zero wherever
# :math:`|w x + b|` is large: the neuron is *saturated*. Started at
# :math:`w = b = -4`, the neuron outputs :math:`f \approx 0.002` or less at
# both points, and the gradient is about :math:`5 \cdot 10^{-4}`.
#
# The log loss (cross-entropy), :math:`-y \log f - (1 - y) \log (1 - f)`, has
# the same minimum on these two points (:math:`f(x_i) = y_i`, which a
# neuron with two parameters can reach exactly), but its gradient is
#
# .. math::
#
#     \frac{\partial}{\partial w} \big(-y \log f - (1 - y) \log (1 - f)\big)
#         = (f - y)\, x .
#
# The factor :math:`f (1 - f)` cancels, and the gradient stays large as long
# as the prediction is wrong. Both get up to 2000 epochs with
# :math:`\eta = 0.3`.

import warnings

import matplotlib.pyplot as plt
import numpy as np
from sklearn.exceptions import ConvergenceWarning

from sklearn_gd import DescentPathDisplay, LossCurveDisplay, minimize

X = np.array([0.5, 2.5])
Y = np.array([0.2, 0.9])


def sigmoid(z):
    return 1.0 / (1.0 + np.exp(-z))


def squared_error(p):
    f = sigmoid(p[0] * X + p[1])
    return np.sum(0.5 * (f - Y) ** 2)


def squared_error_grad(p):
    f = sigmoid(p[0] * X + p[1])
    d = (f - Y) * f * (1 - f)
    return np.array([np.sum(d * X), np.sum(d)])


def log_loss(p):
    z = p[0] * X + p[1]
    return np.sum(np.logaddexp(0, z) - Y * z)  # = -y log f - (1 - y) log(1 - f)


def log_loss_grad(p):
    d = sigmoid(p[0] * X + p[1]) - Y
    return np.array([np.sum(d * X), np.sum(d)])


start = [-4.0, -4.0]
with warnings.catch_warnings():
    warnings.simplefilter("ignore", ConvergenceWarning)  # expected: see below
    res_sq = minimize(squared_error, start, jac=squared_error_grad,
                      learning_rate=0.3, max_iter=2000, record_path=True)
res_log = minimize(log_loss, start, jac=log_loss_grad, learning_rate=0.3,
                   max_iter=2000, record_path=True)
for name, res in [("squared error", res_sq), ("log loss", res_log)]:
    print(f"{name:>13}: {res.status} after {res.nit} epochs at "
          f"w = {res.x[0]:.3f}, b = {res.x[1]:.3f}")

# %%
# The squared error used up all 2000 epochs and is still near the start; the
# log loss reached the solution, :math:`w \approx 1.79, b \approx -2.28`.
# The picture is the squared error's surface over :math:`(w, b)`: its path
# (dots) is a short smear in the flat lower left corner, while the log loss's
# path (the orange line) runs from the same start across the plateau and
# down into the valley.

disp = DescentPathDisplay.from_result(res_sq, fun=squared_error,
                                      ranges=[(-6, 4), (-6, 4)])
disp.ax_.plot(res_log.path[:, 0], res_log.path[:, 1], color="tab:orange", lw=2,
              label="log loss path")
disp.ax_.set(xlabel="w", ylabel="b",
             title="Same start, same eta: squared error vs log loss")
disp.ax_.legend(loc="upper right")

# %%
# The size of the gradient, epoch by epoch, tells why: the squared error's
# starts nearly four orders of magnitude smaller than the log loss's and stays
# there, so its steps do too.

fig, ax = plt.subplots(figsize=(6, 4))
for name, res, grad in [("squared error", res_sq, squared_error_grad),
                        ("log loss", res_log, log_loss_grad)]:
    ax.semilogy([np.abs(grad(p)).max() for p in res.path], label=name)
ax.set(xlabel="epoch", ylabel="largest |gradient| component",
       title="Vanishing gradient")
ax.legend()

# %%
# A vanished gradient can also fool the stopping test, which asks for a
# small gradient: two units further out, at :math:`w = b = -6`, the gradient
# is already below :math:`10^{-4}`, and a descent with ``tol=1e-4`` reports
# convergence without taking a single step.

res = minimize(squared_error, [-6.0, -6.0], jac=squared_error_grad,
               learning_rate=0.3, tol=1e-4)
print(f"{res.status} after {res.nit} steps, loss {res.fun:.3f} "
      f"(the optimum is 0)")

# %%
# Exploding: a chain of factors
# -----------------------------
#
# A deep network multiplies many factors on the way from input to output,
# and its gradients are products of as many slopes. The smallest such chain
# has one weight :math:`w` used :math:`L` times, an output :math:`w^L`, and
# the gradient :math:`\frac{d}{dw} w^L = L\, w^{L-1}`: a product of
# :math:`L - 1` copies of :math:`w`. Below 1 the product vanishes with the
# depth, above 1 it explodes, and only exactly 1 keeps it steady.

depth = np.arange(1, 31)
fig, ax = plt.subplots(figsize=(6, 4))
for w in [0.8, 1.0, 1.2]:
    ax.semilogy(depth, depth * w ** (depth - 1.0), label=f"w = {w}")
ax.set(xlabel="depth L", ylabel="dw^L / dw", title="A product of L factors")
ax.legend()

# %%
# Fit that chain at depth :math:`L = 10` to the output 2, minimizing
# :math:`\tfrac12 (w^{10} - 2)^2`, with :math:`\eta = 0.002`. From
# :math:`w = 1` the gradient is 10 and descent reaches
# :math:`w = 2^{1/10} \approx 1.072` in 17 steps. From :math:`w = 1.5`, half
# a unit away, the gradient is 21,000, and the first step throws :math:`w`
# to :math:`-41`, where the objective is about :math:`10^{32}`:
# :func:`~sklearn_gd.minimize` stops with ``status="diverged"``, and the loss
# curve ends in the divergence marker after one step. A line search
# (``learning_rate="line_search"``) measures the step against the objective
# and shrinks it where the gradient is steep: from :math:`w = 1.5` it reaches
# the solution in about 20 steps.


def chain(w):
    return 0.5 * (w**10 - 2.0) ** 2


def chain_grad(w):
    return (w**10 - 2.0) * 10 * w**9


runs = [
    minimize(chain, 1.0, jac=chain_grad, learning_rate=0.002),
    minimize(chain, 1.5, jac=chain_grad, learning_rate=0.002),
    minimize(chain, 1.5, jac=chain_grad, learning_rate="line_search"),
]
for res in runs:
    print(f"{res.status} after {res.nit} steps, w = {res.x:.4g}")
LossCurveDisplay.from_result(
    runs,
    labels=["from w = 1, eta = 0.002", "from w = 1.5, eta = 0.002",
            "from w = 1.5, line search"],
)
plt.show()
