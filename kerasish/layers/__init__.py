"""kerasish.layers: Keras 3's layers. Each layer module adds its own import line here; the classes
imported here register with the object registry, so configs naming them load."""

from kerasish.layers.activations.activation import Activation
from kerasish.layers.activations.elu import ELU
from kerasish.layers.activations.leaky_relu import LeakyReLU
from kerasish.layers.activations.relu import ReLU
from kerasish.layers.activations.softmax import Softmax
from kerasish.layers.convolutional.conv import Conv1D, Conv2D, Conv3D
from kerasish.layers.convolutional.conv_transpose import Conv1DTranspose, Conv2DTranspose
from kerasish.layers.convolutional.depthwise_conv import DepthwiseConv1D, DepthwiseConv2D
from kerasish.layers.convolutional.separable_conv import SeparableConv1D, SeparableConv2D
from kerasish.layers.core.dense import Dense
from kerasish.layers.core.embedding import Embedding
from kerasish.layers.core.identity import Identity
from kerasish.layers.core.lambda_layer import Lambda
from kerasish.layers.core.wrapper import Wrapper
from kerasish.layers.input_layer import Input, InputLayer
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer
from kerasish.layers.merging.concatenate import Concatenate
from kerasish.layers.merging.dot import Dot
from kerasish.layers.merging.elementwise_merges import Add, Average, Maximum, Minimum, Multiply, Subtract
from kerasish.layers.normalization.batch_normalization import BatchNormalization
from kerasish.layers.normalization.layer_normalization import LayerNormalization
from kerasish.layers.pooling.average_pooling import AveragePooling1D, AveragePooling2D, AveragePooling3D
from kerasish.layers.pooling.global_pooling import (
    GlobalAveragePooling1D,
    GlobalAveragePooling2D,
    GlobalAveragePooling3D,
    GlobalMaxPooling1D,
    GlobalMaxPooling2D,
    GlobalMaxPooling3D,
)
from kerasish.layers.pooling.max_pooling import MaxPooling1D, MaxPooling2D, MaxPooling3D
from kerasish.layers.preprocessing.rescaling import Rescaling
from kerasish.layers.regularization.dropout import Dropout
from kerasish.layers.reshaping.cropping2d import Cropping2D
from kerasish.layers.reshaping.flatten import Flatten
from kerasish.layers.reshaping.permute import Permute
from kerasish.layers.reshaping.repeat_vector import RepeatVector
from kerasish.layers.reshaping.reshape import Reshape
from kerasish.layers.reshaping.up_sampling2d import UpSampling2D
from kerasish.layers.reshaping.zero_padding2d import ZeroPadding2D
from kerasish.layers.rnn.bidirectional import Bidirectional
from kerasish.layers.rnn.gru import GRU, GRUCell
from kerasish.layers.rnn.lstm import LSTM, LSTMCell
from kerasish.layers.rnn.rnn import RNN
from kerasish.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from kerasish.layers.rnn.time_distributed import TimeDistributed
from kerasish.utils.object_registration import register_built_ins

# Keras's aliases
Convolution1D, Convolution2D, Convolution3D, Convolution2DTranspose = Conv1D, Conv2D, Conv3D, Conv2DTranspose
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D

register_built_ins("layers", dict(globals()))
