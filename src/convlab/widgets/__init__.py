"""Live widgets: Python traits and a pure compute function, the same maths in the browser.

Each widget works in a notebook with a kernel and on the built web page without
one: anywidget stores the view's ES module with the page, and the view
recomputes with the same maths in JavaScript (``static/src/``, one module per
Python module it mirrors).
"""

from convlab.widgets.channels import MultiChannelConv, multi_channel  # chapter 5
from convlab.widgets.digits import DigitDrawer, read_digit  # chapter 10
from convlab.widgets.edge_learner import EdgeLearner, learn_edge  # chapter 3
from convlab.widgets.explorer import ConvolutionExplorer, explore  # chapter 4
from convlab.widgets.first_order import FirstOrderSystem  # chapter 1
from convlab.widgets.gradient_view import GradientView, pick_gradient  # chapter 9
from convlab.widgets.im2col import Im2colExplorer, explore_im2col  # appendix
from convlab.widgets.params import ParameterCounter  # chapter 1
from convlab.widgets.photo import PhotoFilter, filter_photo  # chapters 2 and 4
from convlab.widgets.pooling_explorer import PoolingExplorer, explore_pooling  # chapter 6
from convlab.widgets.quiz import Quiz  # every chapter: questions the page grades
from convlab.widgets.receptive_field import ReceptiveFieldExplorer, explore_stack  # chapter 8
from convlab.widgets.separable import SeparableCost  # chapter 7
from convlab.widgets.stepper import CorrelationStepper, step
from convlab.widgets.transposed_stepper import TransposedStepper, scatter  # chapter 9

__all__ = [
    "ConvolutionExplorer",
    "explore",
    "CorrelationStepper",
    "step",
    "FirstOrderSystem",
    "ParameterCounter",
    "EdgeLearner",
    "learn_edge",
    "MultiChannelConv",
    "multi_channel",
    "SeparableCost",  # chapter 7
    "ReceptiveFieldExplorer",  # chapter 8
    "explore_stack",  # chapter 8
    "PoolingExplorer",  # chapter 6
    "explore_pooling",  # chapter 6
    "Im2colExplorer",  # appendix: loops, im2col and libraries
    "explore_im2col",  # appendix
    "PhotoFilter",  # chapters 2 and 4: kernels, stride and padding on the photograph
    "filter_photo",  # chapters 2 and 4
    "TransposedStepper",  # chapter 9: transposed convolution, one input cell at a time
    "scatter",  # chapter 9
    "GradientView",  # chapter 9: the input gradient of one cell
    "pick_gradient",  # chapter 9
    "DigitDrawer",  # chapter 10: draw a digit, a trained network reads it layer by layer
    "read_digit",  # chapter 10
    "Quiz",  # every chapter: questions the page grades
]
