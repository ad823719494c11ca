"""kerasish.layers: Keras 3's layers. Each layer module adds its own import line here; the classes
imported here register with the object registry, so configs naming them load."""

from kerasish.layers.activations.activation import Activation
from kerasish.layers.activations.elu import ELU
from kerasish.layers.activations.leaky_relu import LeakyReLU
from kerasish.layers.activations.prelu import PReLU
from kerasish.layers.activations.relu import ReLU
from kerasish.layers.activations.softmax import Softmax
from kerasish.layers.attention.additive_attention import AdditiveAttention
from kerasish.layers.attention.attention import Attention
from kerasish.layers.attention.grouped_query_attention import GroupedQueryAttention, GroupQueryAttention
from kerasish.layers.attention.multi_head_attention import MultiHeadAttention
from kerasish.layers.convolutional.conv import Conv1D, Conv2D, Conv3D
from kerasish.layers.convolutional.conv_transpose import Conv1DTranspose, Conv2DTranspose, Conv3DTranspose
from kerasish.layers.convolutional.depthwise_conv import DepthwiseConv1D, DepthwiseConv2D
from kerasish.layers.convolutional.separable_conv import SeparableConv1D, SeparableConv2D
from kerasish.layers.core.dense import Dense
from kerasish.layers.core.einsum_dense import EinsumDense
from kerasish.layers.core.embedding import Embedding
from kerasish.layers.core.identity import Identity
from kerasish.layers.core.lambda_layer import Lambda
from kerasish.layers.core.masking import Masking
from kerasish.layers.core.pipeline import Pipeline
from kerasish.layers.core.reversible_embedding import ReversibleEmbedding
from kerasish.layers.core.wrapper import Wrapper
from kerasish.layers.input_layer import Input, InputLayer
from kerasish.layers.input_spec import InputSpec
from kerasish.layers.layer import Layer
from kerasish.layers.merging.concatenate import Concatenate, concatenate
from kerasish.layers.merging.dot import Dot, dot
from kerasish.layers.merging.elementwise_merges import (
    Add,
    Average,
    Maximum,
    Minimum,
    Multiply,
    Subtract,
    add,
    average,
    maximum,
    minimum,
    multiply,
    subtract,
)
from kerasish.layers.normalization.batch_normalization import BatchNormalization
from kerasish.layers.normalization.group_normalization import GroupNormalization
from kerasish.layers.normalization.layer_normalization import LayerNormalization
from kerasish.layers.normalization.rms_normalization import RMSNormalization
from kerasish.layers.normalization.spectral_normalization import SpectralNormalization
from kerasish.layers.normalization.unit_normalization import UnitNormalization
from kerasish.layers.pooling.adaptive_pooling import (
    AdaptiveAveragePooling1D,
    AdaptiveAveragePooling2D,
    AdaptiveAveragePooling3D,
    AdaptiveMaxPooling1D,
    AdaptiveMaxPooling2D,
    AdaptiveMaxPooling3D,
)
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
from kerasish.layers.preprocessing.aug_mix import AugMix
from kerasish.layers.preprocessing.auto_contrast import AutoContrast
from kerasish.layers.preprocessing.category_encoding import CategoryEncoding
from kerasish.layers.preprocessing.center_crop import CenterCrop
from kerasish.layers.preprocessing.clahe import ContrastLimitedAdaptiveHistogramEqualization
from kerasish.layers.preprocessing.cut_mix import CutMix
from kerasish.layers.preprocessing.discretization import Discretization
from kerasish.layers.preprocessing.equalization import Equalization
from kerasish.layers.preprocessing.hashed_crossing import HashedCrossing
from kerasish.layers.preprocessing.hashing import Hashing
from kerasish.layers.preprocessing.integer_lookup import IntegerLookup
from kerasish.layers.preprocessing.mel_spectrogram import MelSpectrogram
from kerasish.layers.preprocessing.mix_up import MixUp
from kerasish.layers.preprocessing.normalization import Normalization
from kerasish.layers.preprocessing.rand_augment import RandAugment
from kerasish.layers.preprocessing.random_brightness import RandomBrightness
from kerasish.layers.preprocessing.random_color_degeneration import RandomColorDegeneration
from kerasish.layers.preprocessing.random_color_jitter import RandomColorJitter
from kerasish.layers.preprocessing.random_contrast import RandomContrast
from kerasish.layers.preprocessing.random_crop import RandomCrop
from kerasish.layers.preprocessing.random_elastic_transform import RandomElasticTransform
from kerasish.layers.preprocessing.random_erasing import RandomErasing
from kerasish.layers.preprocessing.random_flip import RandomFlip
from kerasish.layers.preprocessing.random_gaussian_blur import RandomGaussianBlur
from kerasish.layers.preprocessing.random_grayscale import RandomGrayscale
from kerasish.layers.preprocessing.random_hue import RandomHue
from kerasish.layers.preprocessing.random_invert import RandomInvert
from kerasish.layers.preprocessing.random_perspective import RandomPerspective
from kerasish.layers.preprocessing.random_posterization import RandomPosterization
from kerasish.layers.preprocessing.random_rotation import RandomRotation
from kerasish.layers.preprocessing.random_saturation import RandomSaturation
from kerasish.layers.preprocessing.random_sharpness import RandomSharpness
from kerasish.layers.preprocessing.random_shear import RandomShear
from kerasish.layers.preprocessing.random_translation import RandomTranslation
from kerasish.layers.preprocessing.random_zoom import RandomZoom
from kerasish.layers.preprocessing.rescaling import Rescaling
from kerasish.layers.preprocessing.resizing import Resizing
from kerasish.layers.preprocessing.solarization import Solarization
from kerasish.layers.preprocessing.stft_spectrogram import STFTSpectrogram
from kerasish.layers.preprocessing.string_lookup import StringLookup
from kerasish.layers.preprocessing.text_vectorization import TextVectorization
from kerasish.layers.regularization.activity_regularization import ActivityRegularization
from kerasish.layers.regularization.alpha_dropout import AlphaDropout
from kerasish.layers.regularization.dropout import Dropout
from kerasish.layers.regularization.gaussian_dropout import GaussianDropout
from kerasish.layers.regularization.gaussian_noise import GaussianNoise
from kerasish.layers.regularization.spatial_dropout import SpatialDropout1D, SpatialDropout2D, SpatialDropout3D
from kerasish.layers.reshaping.cropping import Cropping1D, Cropping2D, Cropping3D
from kerasish.layers.reshaping.flatten import Flatten
from kerasish.layers.reshaping.permute import Permute
from kerasish.layers.reshaping.repeat_vector import RepeatVector
from kerasish.layers.reshaping.reshape import Reshape
from kerasish.layers.reshaping.up_sampling import UpSampling1D, UpSampling2D, UpSampling3D
from kerasish.layers.reshaping.zero_padding import ZeroPadding1D, ZeroPadding2D, ZeroPadding3D
from kerasish.layers.rnn.bidirectional import Bidirectional
from kerasish.layers.rnn.conv_lstm import ConvLSTM1D, ConvLSTM2D, ConvLSTM3D
from kerasish.layers.rnn.gru import GRU, GRUCell
from kerasish.layers.rnn.lstm import LSTM, LSTMCell
from kerasish.layers.rnn.rnn import RNN
from kerasish.layers.rnn.simple_rnn import SimpleRNN, SimpleRNNCell
from kerasish.layers.rnn.stacked_rnn_cells import StackedRNNCells
from kerasish.layers.rnn.time_distributed import TimeDistributed
from kerasish.layers.serialization import deserialize, serialize
from kerasish.utils.object_registration import register_built_ins

# Keras's aliases
Convolution1D, Convolution2D, Convolution3D = Conv1D, Conv2D, Conv3D
Convolution1DTranspose, Convolution2DTranspose, Convolution3DTranspose = (
    Conv1DTranspose,
    Conv2DTranspose,
    Conv3DTranspose,
)
SeparableConvolution1D, SeparableConvolution2D = SeparableConv1D, SeparableConv2D
MaxPool1D, MaxPool2D, MaxPool3D = MaxPooling1D, MaxPooling2D, MaxPooling3D
AvgPool1D, AvgPool2D, AvgPool3D = AveragePooling1D, AveragePooling2D, AveragePooling3D
GlobalAvgPool1D, GlobalAvgPool2D = GlobalAveragePooling1D, GlobalAveragePooling2D
GlobalAvgPool3D = GlobalAveragePooling3D
GlobalMaxPool1D, GlobalMaxPool2D, GlobalMaxPool3D = GlobalMaxPooling1D, GlobalMaxPooling2D, GlobalMaxPooling3D

register_built_ins("layers", dict(globals()))
